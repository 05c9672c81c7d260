/** What other contexts' changes do to a customer, inside their own transactions. */
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import type { WriteSet } from '../shared/versioned-write';
import { ConflictError } from '../errors';
import { withCustomerSince } from './rules';
import { assertNotArchived, customerEvents, replaceCustomer, type CustomerItem } from './customers';

/**
 * What another context's change (an opportunity created or won) does to its customer, in that change's own
 * transaction: an archived customer refuses it (409); the customer must still be active when it commits, and
 * moves to `lifecycle` (when given and different) at the version read, with its change log. Call it while
 * building the change; the writes it returns go in the transaction.
 */
export function customerInChange(deps: Deps, actor: Actor, current: CustomerItem, at: string, lifecycle?: CustomerItem['lifecycle']) {
  assertNotArchived(current);
  return (tx: WriteSet) => {
    if (lifecycle === undefined || lifecycle === current.lifecycle) {
      tx.check(
        'customer',
        tx.entities.customer
          .check({ tenantId: current.tenantId, customerId: current.customerId })
          .where((attr, op) => op.eq(attr.state, 'active'))
          .commit(),
        () => archivedMeanwhile(current),
      );
      return;
    }
    const next: CustomerItem = { ...current, lifecycle, updatedAt: at, updatedBy: actor.userId };
    const changes = { lifecycle: { from: current.lifecycle, to: lifecycle } };
    const saved: CustomerItem = withCustomerSince({ ...next, version: current.version + 1 }, at);
    replaceCustomer(tx, saved, current.version);
    tx.log(
      logChange(deps, actor, at, { entityType: 'customer', entityId: current.customerId, action: 'update', changes, events: customerEvents('update', changes, saved) }),
    );
  };
}

export function archivedMeanwhile(customer: CustomerItem): ConflictError {
  return new ConflictError(`Customer ${customer.customerId} was archived meanwhile; restore it first`, { customerId: customer.customerId });
}
