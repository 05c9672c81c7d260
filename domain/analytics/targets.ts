/**
 * Use cases: targets per period for a rep, a team or the tenant. Managers and admins set them; a PUT sets the
 * targets it lists (`"value": null` removes one) and leaves the period's others as they are, so two managers
 * setting targets of different reps never undo each other. Reading a period's targets is one Query.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { readTeam, teamOfUser } from '../directory';
import { ForbiddenError, UnprocessableError } from '../errors';
import { getSettings } from '../settings';
import { hasAnyRole, SALES_PLAN_READERS, SALES_PLANNERS, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import type { FieldChange } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import { parsePeriod } from './periods';
import { planTargets, targetKey, type PlannedTarget } from './plan-rules';
import type { PutTargetsInput, TargetsView, TargetView } from './schemas';

type TargetItem = EntityItem<SalesDb['entities']['target']>;

/** Every target of a period (one Query), ordered by scope, id and metric: for the KPI rollup and reports. */
export async function targetsOf(deps: Deps, tenantId: string, periodId: string, options: { consistent?: boolean } = {}): Promise<TargetView[]> {
  const { data } = await deps.db.entities.target.query.byPeriod({ tenantId, periodId }).go({ pages: 'all', ...options });
  return data.map(toTargetView);
}

/**
 * A period's targets as the caller may see them: managers, admins and finance all of them; a rep their own, their
 * team's and the tenant's (what they are measured against and contribute to — not their colleagues' own).
 */
export async function getTargets(deps: Deps, actor: Actor, periodId: string): Promise<TargetsView> {
  if (!hasAnyRole(actor, SALES_PLAN_READERS)) throw new ForbiddenError('Targets are for sales roles and finance');
  const settings = await getSettings(deps, actor);
  const period = parsePeriod(periodId, { timezone: settings.reportingTimezone, fiscalYearStartMonth: settings.fiscalYearStartMonth }, 'query.period');
  const [targets, visible] = await Promise.all([targetsOf(deps, actor.tenantId, period.id), visibleScopes(deps, actor)]);
  return { period: period.id, baseCurrency: settings.baseCurrency, targets: visible ? targets.filter(visible) : targets };
}

/** Sets (or removes) the listed targets of a period, with one audit entry and one `targets.updated` event. */
export async function putTargets(deps: Deps, actor: Actor, periodId: string, input: PutTargetsInput): Promise<TargetsView> {
  if (!hasAnyRole(actor, SALES_PLANNERS)) throw new ForbiddenError('Only managers and admins set targets');
  const { tenantId } = actor;
  const settings = await getSettings(deps, actor);
  const period = parsePeriod(periodId, { timezone: settings.reportingTimezone, fiscalYearStartMonth: settings.fiscalYearStartMonth }, 'path.periodId');
  const planned = planTargets(input.targets, { tenantId, baseCurrency: settings.baseCurrency });
  await assertTeamsExist(deps, tenantId, planned);

  await versionedWrite(deps, {}, {
    read: async () => {
      const { data } = await deps.db.entities.target
        .get(planned.map(({ scope, scopeId, metric }) => ({ tenantId, periodId: period.id, scope, scopeId, metric })))
        .go({ consistent: true });
      return new Map(data.map((item) => [targetKey(item), item]));
    },
    build: (existing) => {
      const now = deps.clock.now().toISOString();
      const changed = planned.filter((target) => !sameTarget(existing.get(targetKey(target)), target));
      if (changed.length === 0) return { result: undefined };
      const changes: Record<string, FieldChange> = {};
      for (const target of changed) {
        const before = existing.get(targetKey(target));
        changes[targetKey(target)] = {
          ...(before && { from: toTargetView(before).value }),
          ...(target.value !== null && { to: valueOf({ value: target.value, currency: target.currency }) }),
        };
      }
      const log = logChange(deps, actor, now, {
        entityType: 'targets',
        entityId: period.id,
        action: 'update',
        changes,
        events: [{ type: 'targets.updated', data: { periodId: period.id, changes } }],
      });
      return {
        result: undefined,
        write: (tx) => {
          for (const target of changed) {
            const before = existing.get(targetKey(target));
            const key = { tenantId, periodId: period.id, scope: target.scope, scopeId: target.scopeId, metric: target.metric };
            // As read: a target another writer changed meanwhile makes this one be read and judged again.
            if (target.value === null) {
              tx.record(
                'target',
                tx.entities.target
                  .delete(key)
                  .where((attr, op) => op.eq(attr.updatedAt, before?.updatedAt ?? ''))
                  .commit(),
              );
              continue;
            }
            const item: TargetItem = { ...key, value: target.value, ...(target.currency !== undefined && { currency: target.currency }), updatedAt: now, updatedBy: actor.userId };
            tx.record(
              'target',
              tx.entities.target
                .put(item)
                .where((attr, op) => (before ? op.eq(attr.updatedAt, before.updatedAt) : op.notExists(attr.updatedAt)))
                .commit(),
            );
          }
          tx.log(log);
        },
      };
    },
  });
  const targets = await targetsOf(deps, tenantId, period.id, { consistent: true });
  return { period: period.id, baseCurrency: settings.baseCurrency, targets };
}

/** A team target must name a team of the tenant (a 422 naming its id): a removal need not. */
async function assertTeamsExist(deps: Deps, tenantId: string, planned: readonly PlannedTarget[]): Promise<void> {
  const named = planned.filter((target) => target.scope === 'team' && target.value !== null);
  const teams = [...new Set(named.map((target) => target.scopeId))];
  const found = await Promise.all(teams.map(async (teamId) => [teamId, (await readTeam(deps, tenantId, teamId)) !== null] as const));
  const missing = new Set(found.filter(([, exists]) => !exists).map(([teamId]) => teamId));
  if (missing.size === 0) return;
  throw new UnprocessableError(`No team ${[...missing].join(', ')}`, named.filter((target) => missing.has(target.scopeId)).map((target) => ({ path: `body.targets.${target.index}.id`, message: `No team ${target.scopeId}` })));
}

/** Which targets a caller who does not see them all may see (undefined: all of them). */
async function visibleScopes(deps: Deps, actor: Actor): Promise<((target: TargetView) => boolean) | undefined> {
  if (hasAnyRole(actor, ['admin', 'manager', 'finance'])) return undefined;
  const team = await teamOfUser(deps, actor.tenantId, actor.userId);
  return (target) => (target.scope === 'rep' && target.id === actor.userId) || (target.scope === 'team' && target.id === team) || target.scope === 'tenant';
}

function sameTarget(before: TargetItem | undefined, target: PlannedTarget): boolean {
  if (!before) return target.value === null;
  return target.value !== null && before.value === target.value && before.currency === target.currency;
}

const valueOf = (target: { value: number; currency?: string | undefined }) =>
  target.currency !== undefined ? { amount: target.value, currency: target.currency } : target.value;

export function toTargetView(item: TargetItem): TargetView {
  return { scope: item.scope, id: item.scopeId, metric: item.metric, value: valueOf(item), updatedAt: item.updatedAt, updatedBy: item.updatedBy };
}
