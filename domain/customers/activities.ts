/** Use cases: the communication history (activities) and the customer timeline. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { UnprocessableError } from '../errors';
import { assertMayChangeOwned, seesWholeTenant, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { compact, diffFields } from '../shared/records';
import { createWrite, type WriteSet } from '../shared/versioned-write';
import { readCustomer } from './customers';
import { activityOccurredAt, nextLastContactedAt } from './rules';
import type { ActivityView, CreateActivityInput } from './schemas';

type Entities = SalesDb['entities'];
type ActivityItem = EntityItem<Entities['activity']>;

/** Reps log history on their own customers; managers, admins and service on any of the tenant's. */
function assertMayLogHistory(actor: Actor, owner: string): void {
  if (seesWholeTenant(actor) || actor.roles.includes('service')) return;
  assertMayChangeOwned(actor, owner, 'customer');
}

export type ActivityInput = CreateActivityInput & { opportunityId?: string };

/** Logs a call, email, meeting or note on a customer (and, linked, on one of its opportunities). */
export async function logActivity(deps: Deps, actor: Actor, customerId: string, input: ActivityInput): Promise<ActivityView> {
  return createWrite(deps, async () => {
    const planned = await activityWrites(deps, actor, customerId, input);
    return { result: planned.activity, write: planned.write };
  });
}

/**
 * The writes of logging an activity, for a caller that commits them with its own change (a completed task):
 * the activity (and its copy on a linked opportunity), the customer's `lastContactedAt` (only forward, at the
 * version read, so a concurrent PATCH is never overwritten), a check that a linked contact or opportunity
 * belongs to the customer, and the change log. Reads the customer; run it again when the change is re-applied.
 */
export async function activityWrites(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: ActivityInput,
): Promise<{ activity: ActivityView; write: (tx: WriteSet) => void }> {
  const customer = await readCustomer(deps, actor, customerId);
  assertMayLogHistory(actor, customer.owner);
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
    opportunityId: input.opportunityId,
    createdAt: now.toISOString(),
    createdBy: actor.userId,
  };
  const view = toActivityView(activity);
  const log = logChange(deps, actor, activity.createdAt, {
    entityType: 'activity',
    entityId: activity.activityId,
    parentId: customerId,
    action: 'create',
    changes: diffFields({}, view, ['createdAt', 'createdBy', 'id']),
    events: [{ type: 'activity.logged', data: { activity: view } }],
  });
  const lastContactedAt = nextLastContactedAt(customer.lastContactedAt, occurredAt);
  const write = (tx: WriteSet) => {
    const key = { tenantId: actor.tenantId, customerId };
    tx.record(
      'customer',
      lastContactedAt !== customer.lastContactedAt
        ? tx.entities.customer
            .patch(key)
            .set({ lastContactedAt, version: customer.version + 1 })
            .where((attr, op) => op.eq(attr.version, customer.version))
            .commit()
        : tx.entities.customer
            .check(key)
            .where((attr, op) => op.exists(attr.customerId))
            .commit(),
    );
    tx.put('activity', tx.entities.activity.create(activity).commit());
    const { contactId, opportunityId } = activity;
    if (contactId !== undefined) {
      tx.check(
        'contact',
        tx.entities.contact
          .check({ tenantId: actor.tenantId, customerId, contactId })
          .where((attr, op) => op.exists(attr.contactId))
          .commit(),
        () => linkRefused('body.contactId', 'a contact', `No contact ${contactId} on customer ${customerId}`),
      );
    }
    if (opportunityId !== undefined) {
      // The one place this context touches an opportunity: by key, to keep a link to another customer's deal out.
      tx.check(
        'opportunity',
        tx.entities.opportunity
          .check({ tenantId: actor.tenantId, opportunityId })
          .where((attr, op) => op.eq(attr.customerId, customerId))
          .commit(),
        () => linkRefused('body.opportunityId', 'an opportunity', `No opportunity ${opportunityId} of customer ${customerId}`),
      );
      tx.put('opportunityActivity', tx.entities.opportunityActivity.create({ ...activity, opportunityId }).commit());
    }
    tx.log(log);
  };
  return { activity: view, write };
}

function linkRefused(path: string, what: string, message: string): UnprocessableError {
  return new UnprocessableError(`The activity links to ${what} this customer does not have`, [{ path, message }]);
}

/** When the newest activity linked to an opportunity happened (the stale-deal check reads it). */
export async function lastOpportunityActivityAt(deps: Deps, tenantId: string, opportunityId: string): Promise<string | undefined> {
  const { data } = await deps.db.entities.opportunityActivity.query
    .byOpportunity({ tenantId, opportunityId })
    .go({ limit: 1, order: 'desc', attributes: ['occurredAt'] });
  return data[0]?.occurredAt;
}

/** The follow-up history of one opportunity, newest first. */
export async function getOpportunityActivities(
  deps: Deps,
  actor: Actor,
  opportunityId: string,
  input: PageRequest,
): Promise<Page<ActivityView>> {
  const scope = `${actor.tenantId}|opportunity-timeline|${opportunityId}`;
  const page = await readPage(deps, scope, input, deps.db.entities.opportunityActivity.query.byOpportunity({ tenantId: actor.tenantId, opportunityId }), {
    order: 'desc',
  });
  return { ...page, items: page.items.map(toActivityView) };
}

export async function getTimeline(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: PageRequest,
): Promise<Page<ActivityView>> {
  const scope = `${actor.tenantId}|timeline|${customerId}`;
  const page = await readPage(deps, scope, input, deps.db.entities.activity.query.timeline({ tenantId: actor.tenantId, customerId }), { order: 'desc' });
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

