/** Use cases: a manager reassigns a customer, to an owner or to whom the assignment rules choose now. */
import { assignmentNotifications, chooseOwner, customerFacts, type Assignment } from '../assignment';
import type { AssignInput } from '../assignment/schemas';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import { assertNotArchived, readCustomer, saveCustomer, type CustomerItem } from './customers';
import { assertMayReassign } from './rules';
import type { CustomerView } from './schemas';

/** Reassigns a customer (managers): to the given owner, or to whom the rules choose now; with the reason. */
export async function assignCustomer(deps: Deps, actor: Actor, customerId: string, input: AssignInput): Promise<CustomerView> {
  if (input.owner) return reassignCustomer(deps, actor, customerId, { owner: input.owner, fallback: false, reason: input.reason });
  const chosen = await chooseOwner(deps, actor, customerFacts(await readCustomer(deps, actor, customerId)));
  return reassignCustomer(deps, actor, customerId, { ...chosen, reason: `${input.reason} — ${chosen.reason}` }).finally(chosen.settle);
}

/** A manager's reassignment (given owner or the rules' choice), recorded with its reason; the new owner is told. */
async function reassignCustomer(deps: Deps, actor: Actor, customerId: string, assignment: Assignment): Promise<CustomerView> {
  return versionedWrite(deps, {}, {
    read: () => readCustomer(deps, actor, customerId),
    build: (current) => {
      assertMayReassign(actor, current.owner, assignment.owner);
      assertNotArchived(current);
      const now = deps.clock.now().toISOString();
      const next: CustomerItem = { ...current, owner: assignment.owner, updatedAt: now, updatedBy: actor.userId };
      const changes = { ...diffFields(current, next), reason: { to: assignment.reason } };
      const notifications = assignmentNotifications(deps, actor.tenantId, now, assignment, { type: 'customer', id: customerId, name: current.name });
      return saveCustomer(deps, actor, current, next, 'assign', changes, true, notifications);
    },
  });
}
