/** Use cases: the tenant's approval policy (admins keep it; the workflow plans each contract's chain from it). */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { getSettings } from '../settings';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import { defaultPolicy, type ApprovalPolicyRules } from './policy';
import type { ApprovalPolicyView, PutApprovalPolicyInput } from './schemas';

type PolicyItem = EntityItem<SalesDb['entities']['approvalPolicy']>;

/** The policy in force: the tenant's, or the default in its base currency. */
export async function readPolicy(deps: Deps, actor: Actor): Promise<ApprovalPolicyRules> {
  const view = await getApprovalPolicy(deps, actor);
  return { levels: view.levels, directors: view.directors };
}

export async function getApprovalPolicy(deps: Deps, actor: Actor, options: { consistent?: boolean } = {}): Promise<ApprovalPolicyView> {
  const { data } = await deps.db.entities.approvalPolicy.get({ tenantId: actor.tenantId }).go(options);
  if (data) return toPolicyView(data);
  const settings = await getSettings(deps, actor);
  return { ...defaultPolicy(settings.baseCurrency), version: 0 };
}

function toPolicyView(item: PolicyItem): ApprovalPolicyView {
  return {
    levels: item.levels,
    directors: item.directors,
    version: item.version,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
  };
}

/** Replaces the policy (admins). Contracts already submitted keep the chain planned when they were submitted. */
export async function putApprovalPolicy(
  deps: Deps,
  actor: Actor,
  input: PutApprovalPolicyInput,
  options: { ifMatch?: number },
): Promise<ApprovalPolicyView> {
  return versionedWrite(deps, options, {
    read: () => getApprovalPolicy(deps, actor, { consistent: true }),
    version: (current) => current.version,
    build: (current) => {
      const now = deps.clock.now().toISOString();
      const next: PolicyItem = {
        tenantId: actor.tenantId,
        levels: input.levels,
        directors: input.directors ?? [],
        updatedAt: now,
        updatedBy: actor.userId,
        version: current.version + 1,
      };
      const changes = diffFields({ levels: current.levels, directors: current.directors }, { levels: next.levels, directors: next.directors });
      const log = logChange(deps, actor, now, {
        entityType: 'approvalPolicy',
        entityId: actor.tenantId,
        action: 'update',
        changes,
        events: [{ type: 'approval_policy.updated', data: { levels: input.levels.length } }],
      });
      return {
        result: toPolicyView(next),
        write: (tx) =>
          tx
            .record(
              'approvalPolicy',
              current.version === 0
                ? tx.entities.approvalPolicy.create(next).commit()
                : tx.entities.approvalPolicy
                    .put(next)
                    .where((attr, op) => op.eq(attr.version, current.version))
                    .commit(),
            )
            .log(log),
      };
    },
  });
}
