/**
 * Use cases: forecast calls. A rep (or a manager or admin with deals of their own) submits their call for a
 * period — commit and best case in the base currency; a manager or admin adjusts it beside it, in an item of its
 * own, so the rep's number is never overwritten and both are shown. Each is versioned (`If-Match`), and every
 * change is audited from → to under the period (`GET /audit?entityId=<periodId>`; `parentId` says whose call).
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { ForbiddenError } from '../errors';
import { getSettings } from '../settings';
import type { SettingsView } from '../settings/schemas';
import { FORECASTERS, hasAnyRole, SALES_PLAN_READERS, SALES_PLANNERS, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { compact, diffFields } from '../shared/records';
import { versionedWrite, type WriteOptions } from '../shared/versioned-write';
import { parsePeriod, type Period } from './periods';
import { assertForecastCall } from './plan-rules';
import type { ForecastAdjustmentView, ForecastCallInput, ForecastCallsView, ForecastSubmissionView } from './schemas';

type ForecastCallItem = EntityItem<SalesDb['entities']['forecastCall']>;
type Kind = ForecastCallItem['kind'];

/** One user's calls of a period: their submission and a manager's adjustment, each null when there is none. */
export interface ForecastCall {
  userId: string;
  submission: ForecastSubmissionView | null;
  adjustment: ForecastAdjustmentView | null;
}

/** Every call of a period (one Query), by user id: for the forecast report. */
export async function forecastCallsOf(deps: Deps, tenantId: string, periodId: string): Promise<ForecastCall[]> {
  const { data } = await deps.db.entities.forecastCall.query.byPeriod({ tenantId, periodId }).go({ pages: 'all' });
  return callsFromItems(data);
}

/** Stored calls → one entry per user (submission and adjustment side by side), by user id. */
export function callsFromItems(data: readonly ForecastCallItem[]): ForecastCall[] {
  const calls = new Map<string, ForecastCall>();
  for (const item of data) {
    const call = calls.get(item.userId) ?? { userId: item.userId, submission: null, adjustment: null };
    if (item.kind === 'submission') call.submission = toSubmission(item);
    else call.adjustment = toAdjustment(item);
    calls.set(item.userId, call);
  }
  return [...calls.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

/** A period's calls as the caller may see them: managers, admins and finance all; anyone else their own. */
export async function getForecastCalls(deps: Deps, actor: Actor, periodId: string): Promise<ForecastCallsView> {
  if (!hasAnyRole(actor, SALES_PLAN_READERS)) throw new ForbiddenError('Forecasts are for sales roles and finance');
  const { settings, period } = await periodOf(deps, actor, periodId, 'path.periodId');
  const calls = await forecastCallsOf(deps, actor.tenantId, period.id);
  const seesAll = hasAnyRole(actor, ['admin', 'manager', 'finance']);
  return { period: period.id, baseCurrency: settings.baseCurrency, calls: seesAll ? calls : calls.filter((call) => call.userId === actor.userId) };
}

/** The caller's own call for a period (created or replaced). */
export async function submitForecast(deps: Deps, actor: Actor, periodId: string, input: ForecastCallInput, options: WriteOptions = {}): Promise<ForecastSubmissionView> {
  if (!hasAnyRole(actor, FORECASTERS)) throw new ForbiddenError('Only the roles that own deals submit forecasts');
  return toSubmission(await writeCall(deps, actor, periodId, actor.userId, 'submission', input, options));
}

/**
 * A manager's (or admin's) adjustment of a user's call, beside the user's own. Nobody adjusts their own call: an
 * adjustment is a second opinion, and one's own would read as one.
 */
export async function adjustForecast(
  deps: Deps,
  actor: Actor,
  periodId: string,
  userId: string,
  input: ForecastCallInput,
  options: WriteOptions = {},
): Promise<ForecastAdjustmentView> {
  if (!hasAnyRole(actor, SALES_PLANNERS)) throw new ForbiddenError('Only managers and admins adjust forecasts');
  if (userId === actor.userId) throw new ForbiddenError('Nobody adjusts their own call: submit it with PUT /forecasts/{periodId}/me');
  return toAdjustment(await writeCall(deps, actor, periodId, userId, 'adjustment', input, options));
}

async function writeCall(deps: Deps, actor: Actor, periodId: string, userId: string, kind: Kind, input: ForecastCallInput, options: WriteOptions): Promise<ForecastCallItem> {
  const { tenantId } = actor;
  const { settings, period } = await periodOf(deps, actor, periodId, 'path.periodId');
  assertForecastCall(input, settings.baseCurrency);
  return versionedWrite(deps, options, {
    read: async () => {
      const { data } = await deps.db.entities.forecastCall.get({ tenantId, periodId: period.id, userId, kind }).go({ consistent: true });
      return { call: data, version: data?.version ?? 0 };
    },
    version: (current) => current.version,
    build: ({ call: current }) => {
      const figures = (call: Pick<ForecastCallItem, 'commit' | 'bestCase' | 'note'>) => compact({ commit: call.commit, bestCase: call.bestCase, note: call.note });
      const changes = diffFields(current ? figures(current) : {}, figures(input));
      if (current && Object.keys(changes).length === 0) return { result: current };
      const now = deps.clock.now().toISOString();
      const next: ForecastCallItem = compact({
        tenantId,
        periodId: period.id,
        userId,
        kind,
        commit: input.commit,
        bestCase: input.bestCase,
        note: input.note,
        at: now,
        by: actor.userId,
        version: (current?.version ?? 0) + 1,
      });
      const type = kind === 'submission' ? 'forecast.submitted' : 'forecast.adjusted';
      const log = logChange(deps, actor, now, {
        entityType: kind === 'submission' ? 'forecastSubmission' : 'forecastAdjustment',
        entityId: period.id,
        parentId: userId,
        action: current ? 'update' : 'create',
        changes,
        events: [{ type, data: { periodId: period.id, userId } }],
      });
      return {
        result: next,
        write: (tx) =>
          tx
            .record(
              'forecastCall',
              current
                ? tx.entities.forecastCall
                    .put(next)
                    .where((attr, op) => op.eq(attr.version, current.version))
                    .commit()
                : tx.entities.forecastCall.create(next).commit(),
            )
            .log(log),
      };
    },
  });
}

async function periodOf(deps: Deps, actor: Actor, periodId: string, path: string): Promise<{ settings: SettingsView; period: Period }> {
  const settings = await getSettings(deps, actor);
  return { settings, period: parsePeriod(periodId, { timezone: settings.reportingTimezone, fiscalYearStartMonth: settings.fiscalYearStartMonth }, path) };
}

const figuresOf = (item: ForecastCallItem) => compact({ commit: item.commit, bestCase: item.bestCase, note: item.note, version: item.version });

function toSubmission(item: ForecastCallItem): ForecastSubmissionView {
  return { period: item.periodId, userId: item.userId, ...figuresOf(item), submittedAt: item.at, submittedBy: item.by };
}

function toAdjustment(item: ForecastCallItem): ForecastAdjustmentView {
  return { period: item.periodId, userId: item.userId, ...figuresOf(item), adjustedAt: item.at, adjustedBy: item.by };
}
