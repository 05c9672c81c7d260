/** Use cases: the communication history (activities) and the customer timeline. */
import type { EntityItem } from 'electrodb';
import type { SalesDb, TransactionCommit, TransactionEntities } from '../db';
import { ConflictError, UnprocessableError } from '../errors';
import { assertMayChangeOwned, seesWholeTenant, type Actor } from '../shared/actor';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { conflictedWithAnotherTransaction, rejectedAt, type TransactionOutcome } from '../shared/store-errors';
import { ConcurrentChange, compact, describeOutcome, retryOnConcurrentChange } from '../shared/writes';
import { loadPipeline } from '../pipeline/pipeline-config';
import { staleAfterDaysOf } from '../pipeline/rules';
import { staleDealTimer } from '../scheduling/timers';
import { readCustomer } from './customers';
import {
  activityOccurredAt,
  nextLastContactedAt,
} from './rules';
import { changeLogCommits, logChange } from '../shared/change-log';
import { diffFields } from '../shared/records';
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
  input: CreateActivityInput & { opportunityId?: string },
  options: {
    /** More writes for the same transaction (a completed task), all-or-nothing with the activity. */
    alsoWrite?: (entities: TransactionEntities, activityId: string) => TransactionCommit[];
  } = {},
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
    opportunityId: input.opportunityId,
    createdAt: now.toISOString(),
    createdBy: actor.userId,
  };
  const log = logChange(deps, actor, activity.createdAt, {
    entityType: 'activity',
    entityId: activity.activityId,
    parentId: customerId,
    action: 'create',
    changes: diffFields({}, toActivityView(activity), ['createdAt', 'createdBy', 'id']),
    events: [{ type: 'activity.logged', data: { activity: toActivityView(activity) } }],
  });

  return retryOnConcurrentChange(async () => {
    const [customer, staleTimer] = await Promise.all([
      readCustomer(deps, actor, customerId),
      activity.opportunityId ? restartedStaleCheck(deps, actor.tenantId, activity.opportunityId, now) : undefined,
    ]);
    assertMayLogHistory(actor, customer.owner);
    const lastContactedAt = nextLastContactedAt(customer.lastContactedAt, occurredAt);
    const moves = lastContactedAt !== customer.lastContactedAt;
    const CUSTOMER = 0;
    let contactIndex = -1;
    let opportunityIndex = -1;
    let alsoFrom = -1;
    const outcome = await deps.db.transaction
      .write((entities) => {
        const writes = [
          // lastContactedAt moves in the same transaction, and only forward; the version guard keeps a
          // concurrent PATCH from being overwritten.
          moves
            ? entities.customer
                .patch({ tenantId: actor.tenantId, customerId })
                .set({ lastContactedAt, version: customer.version + 1 })
                .where((attr, op) => op.eq(attr.version, customer.version))
                .commit()
            : entities.customer
                .check({ tenantId: actor.tenantId, customerId })
                .where((attr, op) => op.exists(attr.customerId))
                .commit(),
          entities.activity.create(activity).commit(),
          ...changeLogCommits(entities, log),
        ];
        if (activity.contactId !== undefined) {
          contactIndex = writes.length;
          writes.push(
            entities.contact
              .check({ tenantId: actor.tenantId, customerId, contactId: activity.contactId })
              .where((attr, op) => op.exists(attr.contactId))
              .commit(),
          );
        }
        if (activity.opportunityId !== undefined) {
          opportunityIndex = writes.length;
          writes.push(
            entities.opportunity
              .check({ tenantId: actor.tenantId, opportunityId: activity.opportunityId })
              .where((attr, op) => op.eq(attr.customerId, customerId))
              .commit(),
            entities.opportunityActivity.create({ ...activity, opportunityId: activity.opportunityId }).commit(),
          );
          if (staleTimer) writes.push(entities.timer.put(staleTimer).commit());
        }
        if (options.alsoWrite) {
          alsoFrom = writes.length;
          writes.push(...options.alsoWrite(entities, activity.activityId));
        }
        return writes;
      })
      .go();
    const issues = [
      ...(rejectedAt(outcome, contactIndex) ? [{ path: 'body.contactId', message: `No contact ${activity.contactId} on customer ${customerId}` }] : []),
      ...(rejectedAt(outcome, opportunityIndex)
        ? [{ path: 'body.opportunityId', message: `No opportunity ${activity.opportunityId} of customer ${customerId}` }]
        : []),
    ];
    if (issues.length > 0) throw new UnprocessableError('The activity links to records this customer does not have', issues);
    const also = outcome as TransactionOutcome;
    if (alsoFrom >= 0 && also.canceled && also.data.slice(alsoFrom).some((item) => item.code === 'ConditionalCheckFailed')) {
      throw new ConflictError('A record written with the activity changed meanwhile; read it again and retry');
    }
    if (rejectedAt(outcome, CUSTOMER) || conflictedWithAnotherTransaction(outcome)) throw new ConcurrentChange();
    if (outcome.canceled) throw new Error(`Logging activity failed: ${describeOutcome(outcome)}`);
    return toActivityView(activity);
  }, {});
}

/** A follow-up on an open deal restarts its stale check from now (for its stage's `staleAfterDays`). */
async function restartedStaleCheck(deps: Deps, tenantId: string, opportunityId: string, now: Date) {
  const [{ data: opportunity }, pipeline] = await Promise.all([
    deps.db.entities.opportunity.get({ tenantId, opportunityId }).go(),
    loadPipeline(deps, tenantId),
  ]);
  if (!opportunity || opportunity.status !== 'open') return undefined;
  return staleDealTimer(tenantId, opportunityId, staleAfterDaysOf(pipeline.definition, opportunity.stage), now);
}

/** The follow-up history of one opportunity, newest first. */
export async function getOpportunityActivities(
  deps: Deps,
  actor: Actor,
  opportunityId: string,
  input: PageRequest,
): Promise<Page<ActivityView>> {
  const scope = `${actor.tenantId}|opportunity-timeline|${opportunityId}`;
  const page = await readPage(scope, input, ({ cursor, limit }) =>
    deps.db.entities.opportunityActivity.query
      .byOpportunity({ tenantId: actor.tenantId, opportunityId })
      .go({ cursor, count: limit, limit, order: 'desc' }),
  );
  return { ...page, items: page.items.map(toActivityView) };
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

