/** Use cases of assignment: the tenant's rules (admins), and reassigning customers and opportunities (managers, with a reason). */
import type { EntityItem } from 'electrodb';
import { reassignCustomer, readCustomer } from '../customers/customers';
import type { SalesDb } from '../db';
import { PreconditionFailedError } from '../errors';
import { readOpportunity, reassignOpportunity } from '../pipeline/opportunities';
import type { Actor } from '../shared/actor';
import { changeLogCommits, logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { assertVersion } from '../shared/writes';
import type { AssignInput, AssignmentRulesView, PutAssignmentRulesInput } from './schemas';
import { chooseOwner, customerFacts, getAssignmentRules } from './choose';

type RulesItem = EntityItem<SalesDb['entities']['assignmentRules']>;

export async function putAssignmentRules(deps: Deps, actor: Actor, input: PutAssignmentRulesInput, options: { ifMatch?: number }): Promise<AssignmentRulesView> {
  const current = await getAssignmentRules(deps, actor, { consistent: true });
  assertVersion(current.version, options.ifMatch);
  const now = deps.clock.now().toISOString();
  const next: RulesItem = { tenantId: actor.tenantId, rules: input.rules, fallbackOwner: input.fallbackOwner, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
  const log = logChange(deps, actor, now, {
    entityType: 'assignmentRules',
    entityId: actor.tenantId,
    action: 'update',
    changes: diffFields({ rules: current.rules, fallbackOwner: current.fallbackOwner }, { rules: input.rules, fallbackOwner: input.fallbackOwner }),
    events: [{ type: 'assignment_rules.updated', data: { rules: input.rules.length } }],
  });
  const outcome = await deps.db.transaction
    .write((entities) => [
      current.version === 0
        ? entities.assignmentRules.create(next).commit()
        : entities.assignmentRules
            .put(next)
            .where((attr, op) => op.eq(attr.version, current.version))
            .commit(),
      ...changeLogCommits(entities, log),
    ])
    .go();
  if (outcome.canceled) throw new PreconditionFailedError('The assignment rules were changed by someone else; read them again');
  return { rules: input.rules, fallbackOwner: input.fallbackOwner, version: next.version, updatedAt: now, updatedBy: actor.userId };
}

/** Reassigns a customer (managers): to the given owner, or to whom the rules choose now; with the reason. */
export async function assignCustomer(deps: Deps, actor: Actor, customerId: string, input: AssignInput) {
  const customer = await readCustomer(deps, actor, customerId);
  if (input.owner) return reassignCustomer(deps, actor, customerId, { owner: input.owner, fallback: false, reason: input.reason });
  const chosen = await chooseOwner(deps, actor, customerFacts(customer));
  return reassignCustomer(deps, actor, customerId, { ...chosen, reason: `${input.reason} — ${chosen.reason}` }).finally(chosen.settle);
}

/** Reassigns an opportunity (managers): to the given owner, or to whom the rules choose now; with the reason. */
export async function assignOpportunity(deps: Deps, actor: Actor, opportunityId: string, input: AssignInput) {
  const opportunity = await readOpportunity(deps, actor, opportunityId);
  if (input.owner) return reassignOpportunity(deps, actor, opportunityId, { owner: input.owner, fallback: false, reason: input.reason });
  const customer = await readCustomer(deps, actor, opportunity.customerId);
  const chosen = await chooseOwner(deps, actor, { ...customerFacts(customer), kind: 'opportunity', amount: opportunity.amount });
  return reassignOpportunity(deps, actor, opportunityId, { ...chosen, reason: `${input.reason} — ${chosen.reason}` }).finally(chosen.settle);
}
