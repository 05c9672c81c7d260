/** Use cases: the communication history (activities) and the customer timeline. */
import type { EntityItem } from 'electrodb';
import { auditItem } from '../audit/service';
import type { SalesDb } from '../db';
import { UnprocessableError } from '../errors';
import { assertMayChangeOwned, seesWholeTenant, type Actor } from '../shared/actor';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { conflictedWithAnotherTransaction, rejectedAt } from '../shared/store-errors';
import { ConcurrentChange, compact, describeOutcome, retryOnConcurrentChange } from '../shared/writes';
import { readCustomer } from './customers';
import { activityOccurredAt, diffFields, nextLastContactedAt } from './rules';
import type { ActivityView, CreateActivityInput } from './schemas';

type Entities = SalesDb['entities'];
type ActivityItem = EntityItem<Entities['activity']>;

// ---- activities (communication history) --------------------------------------------------------

/** Reps log history on their own customers; managers, admins and service on any of the tenant's. */
function assertMayLogHistory(actor: Actor, owner: string): void {
  if (seesWholeTenant(actor) || actor.roles.includes('service')) return;
  assertMayChangeOwned(actor, owner, 'customer');
}

export async function logActivity(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: CreateActivityInput,
): Promise<ActivityView> {
  const now = deps.clock.now();
  const occurredAt = activityOccurredAt(input.occurredAt, now);
  const activity: ActivityItem = {
    tenantId: actor.tenantId,
    customerId,
    activityId: deps.ids.next(),
    type: input.type,
    subject: input.subject,
    body: input.body,
    occurredAt,
    contactId: input.contactId,
    createdAt: now.toISOString(),
    createdBy: actor.userId,
  };
  const audit = auditItem(deps, actor, activity.createdAt, {
    entityType: 'activity',
    entityId: activity.activityId,
    parentId: customerId,
    action: 'create',
    changes: diffFields({}, toActivityView(activity), ['createdAt', 'createdBy', 'id']),
  });

  return retryOnConcurrentChange(async () => {
    const customer = await readCustomer(deps, actor, customerId);
    assertMayLogHistory(actor, customer.owner);
    const lastContactedAt = nextLastContactedAt(customer.lastContactedAt, occurredAt);
    const moves = lastContactedAt !== customer.lastContactedAt;
    const outcome = await deps.db.transaction
      .write(({ activity: activities, customer: customers, contact, auditEntry }) => [
        activities.create(activity).commit(),
        auditEntry.create(audit).commit(),
        // lastContactedAt moves in the same transaction, and only forward; the version guard keeps a
        // concurrent PATCH from being overwritten.
        moves
          ? customers
              .patch({ tenantId: actor.tenantId, customerId })
              .set({ lastContactedAt, version: customer.version + 1 })
              .where((attr, op) => op.eq(attr.version, customer.version))
              .commit()
          : customers
              .check({ tenantId: actor.tenantId, customerId })
              .where((attr, op) => op.exists(attr.customerId))
              .commit(),
        ...(activity.contactId === undefined
          ? []
          : [
              contact
                .check({ tenantId: actor.tenantId, customerId, contactId: activity.contactId })
                .where((attr, op) => op.exists(attr.contactId))
                .commit(),
            ]),
      ])
      .go();
    if (rejectedAt(outcome, 3)) {
      throw new UnprocessableError('The contact is not one of this customer\'s contacts', [
        { path: 'body.contactId', message: `No contact ${activity.contactId} on customer ${customerId}` },
      ]);
    }
    if (rejectedAt(outcome, 2) || conflictedWithAnotherTransaction(outcome)) throw new ConcurrentChange();
    if (outcome.canceled) throw new Error(`Logging activity failed: ${describeOutcome(outcome)}`);
    return toActivityView(activity);
  }, {});
}

export async function getTimeline(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: PageRequest,
): Promise<Page<ActivityView>> {
  const scope = `${actor.tenantId}|timeline|${customerId}`;
  const page = await readPage(scope, input, ({ cursor, limit }) =>
    deps.db.entities.activity.query
      .timeline({ tenantId: actor.tenantId, customerId })
      .go({ cursor, count: limit, limit, order: 'desc' }),
  );
  if (page.items.length === 0 && input.cursor === undefined) await readCustomer(deps, actor, customerId);
  return { ...page, items: page.items.map(toActivityView) };
}

export function toActivityView(item: ActivityItem): ActivityView {
  return compact({
    id: item.activityId,
    customerId: item.customerId,
    type: item.type,
    subject: item.subject,
    body: item.body,
    occurredAt: item.occurredAt,
    contactId: item.contactId,
    opportunityId: item.opportunityId,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
  });
}

