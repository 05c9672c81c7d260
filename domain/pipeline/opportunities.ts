/**
 * Use cases: opportunities through the funnel. Every change is one transaction: the opportunity (guarded by
 * its version), its stage history, the customer's lifecycle where it moves, the pipeline's version (so no move
 * slips past a concurrent pipeline change), the audit entry and the domain events.
 */
import type { EntityItem } from 'electrodb';
import { readCustomer, lifecycleChange, type CustomerItem } from '../customers/customers';
import type { SalesDb, TransactionEntities } from '../db';
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../errors';
import { getSettings } from '../settings/service';
import { assertMayChangeOwned, seesWholeTenant, type Actor } from '../shared/actor';
import { changeLogCommits, logChange, type ChangeLog } from '../shared/change-log';
import { readPage, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { applyPatch, diffFields, type FieldChange } from '../shared/records';
import { conflictedWithAnotherTransaction, rejectedAt } from '../shared/store-errors';
import { ConcurrentChange, assertVersion, compact, describeOutcome, retryOnConcurrentChange, type WriteOptions } from '../shared/writes';
import { ownerForNewRecord } from '../customers/rules';
import { factSourcesFor, unmetCriteria, type GateFacts } from './gates';
import { AUTO_OWNER, assignmentData, assignmentNotifications, chooseOwner, customerFacts, type Assignment } from '../assignment/choose';
import type { NotificationItem } from '../notifications/service';
import { staleDealTimer, timerId, type TimerItem } from '../scheduling/timers';
import { loadPipeline, type LoadedPipeline } from './pipeline-config';
import {
  defaultProbability,
  planStageMove,
  stageIntervals,
  stageTotals,
  staleAfterDaysOf,
  statusOfStage,
  type MovePlan,
} from './rules';
import type {
  CreateOpportunityInput,
  ListOpportunitiesInput,
  MoveStageInput,
  OpportunityView,
  StageHistoryView,
  UpdateOpportunityInput,
} from './schemas';

type Entities = SalesDb['entities'];
export type OpportunityItem = EntityItem<Entities['opportunity']>;
type StageChangeItem = EntityItem<Entities['stageChange']>;

// ---- create, read, list ------------------------------------------------------------------------------

export async function createOpportunity(deps: Deps, actor: Actor, input: CreateOpportunityInput): Promise<OpportunityView> {
  if (input.probability !== undefined && !seesWholeTenant(actor)) {
    throw new ForbiddenError('Only managers and admins set a probability other than the stage default');
  }
  const auto = input.owner === AUTO_OWNER;
  const requestedOwner = auto ? undefined : ownerForNewRecord(actor, input.owner);
  return retryOnConcurrentChange(async () => {
    const [customer, pipeline] = await Promise.all([readCustomer(deps, actor, input.customerId), loadPipeline(deps, actor.tenantId)]);
    assertMayChangeOwned(actor, customer.owner, 'customer');
    if (customer.state === 'archived') {
      throw new ConflictError(`Customer ${customer.customerId} is archived; restore it first`, { customerId: customer.customerId });
    }
    const assignment = auto ? await chooseOwner(deps, actor, { ...customerFacts(customer), kind: 'opportunity', amount: input.amount }) : undefined;
    const owner = assignment?.owner ?? (requestedOwner as string);
    const now = deps.clock.now().toISOString();
    const firstStage = pipeline.definition.stages[0]?.key as string;
    const { probability, owner: _owner, ...fields } = input;
    const opportunity: OpportunityItem = {
      tenantId: actor.tenantId,
      opportunityId: deps.ids.next(),
      ...fields,
      owner,
      stage: firstStage,
      status: 'open',
      probability: probability ?? defaultProbability(pipeline.definition, firstStage),
      stageEnteredAt: now,
      createdAt: now,
      createdBy: actor.userId,
      updatedAt: now,
      updatedBy: actor.userId,
      version: 1,
    };
    const history = stageChangeItem(deps, actor, opportunity.opportunityId, { to: firstStage, at: now });
    const view = toOpportunityView(opportunity);
    const log = logChange(deps, actor, now, {
      entityType: 'opportunity',
      entityId: opportunity.opportunityId,
      parentId: customer.customerId,
      action: 'create',
      changes: diffFields({}, view, ['version', 'updatedAt', 'updatedBy', 'createdAt', 'createdBy', 'id', 'stageEnteredAt']),
      events: [
        { type: 'opportunity.created', data: { opportunity: view } },
        ...(assignment ? [{ type: 'opportunity.assigned', data: assignmentData(assignment) }] : []),
      ],
    });
    // The first opportunity of a lead makes it a prospect, in the same transaction.
    const customerMove = customer.lifecycle === 'lead' ? lifecycleChange(deps, actor, customer, 'prospect', now) : undefined;
    await commitOpportunityChange(deps, actor, {
      opportunity: (entities) => entities.opportunity.create(opportunity).commit(),
      history,
      log,
      pipeline,
      customer,
      customerMove,
      staleTimer: { put: staleDealTimer(actor.tenantId, opportunity.opportunityId, staleAfterDaysOf(pipeline.definition, firstStage), deps.clock.now()) },
      notifications: assignment
        ? assignmentNotifications(deps, actor.tenantId, now, assignment, { type: 'opportunity', id: opportunity.opportunityId, name: opportunity.name })
        : [],
    }).finally(() => assignment?.settle());
    return view;
  }, {});
}

export async function getOpportunity(deps: Deps, actor: Actor, opportunityId: string): Promise<OpportunityView> {
  return toOpportunityView(await readOpportunity(deps, actor, opportunityId));
}

export async function listOpportunities(deps: Deps, actor: Actor, input: ListOpportunitiesInput): Promise<Page<OpportunityView>> {
  const { tenantId } = actor;
  const { opportunity } = deps.db.entities;
  const stageFilter = input.stage ?? (input.status === 'won' || input.status === 'lost' ? input.status : undefined);
  const scope = [tenantId, 'opportunities', input.stage, input.owner, input.customer, input.status, input.closeFrom, input.closeTo].join('|');
  const base = input.customer
    ? opportunity.query.byCustomer({ tenantId, customerId: input.customer })
    : input.owner
      ? opportunity.query.byOwner({ tenantId, owner: input.owner })
      : stageFilter
        ? opportunity.query.byStage({ tenantId, stage: stageFilter })
        : opportunity.query.byCloseDate({ tenantId });
  const keyed = input.customer ? 'customer' : input.owner ? 'owner' : stageFilter ? 'stage' : 'none';
  // Close-date range on the sort key; the upper bound is the day after `closeTo`, so that whole day is in.
  const from = input.closeFrom ?? '0000-00-00';
  const until = input.closeTo ? dayAfter(input.closeTo) : '9999-99-99';
  const ranged = input.closeFrom || input.closeTo ? base.between({ expectedCloseDate: from }, { expectedCloseDate: until }) : base;
  const filtered = ranged.where((attr, op) =>
    [
      input.owner && keyed !== 'owner' ? op.eq(attr.owner, input.owner) : '',
      stageFilter && keyed !== 'stage' ? op.eq(attr.stage, stageFilter) : '',
      input.status && !(keyed === 'stage' && stageFilter === input.status) ? op.eq(attr.status, input.status) : '',
    ]
      .filter(Boolean)
      .join(' AND '),
  );
  const needsFilter = (input.owner && keyed !== 'owner') || (stageFilter && keyed !== 'stage') || input.status === 'open';
  const page = await readPage(scope, input, ({ cursor, limit }) =>
    filtered.go({ cursor, count: limit, limit: needsFilter ? Math.max(limit, 100) : limit }),
  );
  return { ...page, items: page.items.map(toOpportunityView) };
}

// ---- change fields ---------------------------------------------------------------------------------

export async function updateOpportunity(
  deps: Deps,
  actor: Actor,
  opportunityId: string,
  patch: UpdateOpportunityInput,
  options: WriteOptions = {},
): Promise<OpportunityView> {
  if (patch.probability !== undefined && !seesWholeTenant(actor)) {
    throw new ForbiddenError('Only managers and admins override the win probability');
  }
  return retryOnConcurrentChange(async () => {
    const [current, pipeline] = await Promise.all([readOpportunity(deps, actor, opportunityId), loadPipeline(deps, actor.tenantId)]);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'opportunity');
    if (patch.owner !== undefined && patch.owner !== current.owner && !seesWholeTenant(actor)) {
      throw new ForbiddenError('Only managers and admins reassign an opportunity');
    }
    if (current.status !== 'open') {
      throw new ConflictError(`The opportunity is ${current.status}; a manager must reopen it before it changes`, { status: current.status });
    }
    const { probability, ...rest } = patch;
    const next = applyPatch(current, rest);
    if (probability !== undefined) next.probability = probability ?? defaultProbability(pipeline.definition, current.stage);
    const changes = diffFields(current, next);
    if (Object.keys(changes).length === 0) return toOpportunityView(current);
    const now = deps.clock.now().toISOString();
    const saved: OpportunityItem = { ...next, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
    const log = logChange(deps, actor, now, {
      entityType: 'opportunity',
      entityId: opportunityId,
      parentId: current.customerId,
      action: 'update',
      changes,
      events: opportunityUpdateEvents(changes),
    });
    await commitOpportunityChange(deps, actor, {
      opportunity: replaceOpportunity(saved, current.version),
      log,
    });
    return toOpportunityView(saved);
  }, options);
}

function opportunityUpdateEvents(changes: Record<string, FieldChange>) {
  return [
    { type: 'opportunity.updated', data: { changes } },
    ...(changes.owner ? [{ type: 'opportunity.reassigned', data: { from: changes.owner.from, to: changes.owner.to } }] : []),
    ...(changes.amount ? [{ type: 'opportunity.amount_changed', data: { from: changes.amount.from, to: changes.amount.to } }] : []),
  ];
}

/** A manager's reassignment (given owner or the rules' choice), recorded with its reason; the new owner is told. */
export async function reassignOpportunity(deps: Deps, actor: Actor, opportunityId: string, assignment: Assignment): Promise<OpportunityView> {
  if (!seesWholeTenant(actor)) throw new ForbiddenError('Only managers and admins reassign opportunities');
  return retryOnConcurrentChange(async () => {
    const current = await readOpportunity(deps, actor, opportunityId);
    if (current.status !== 'open') throw new ConflictError(`The opportunity is ${current.status}; only an open one is reassigned`, { opportunityStatus: current.status });
    const now = deps.clock.now().toISOString();
    const saved: OpportunityItem = { ...current, owner: assignment.owner, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
    const log = logChange(deps, actor, now, {
      entityType: 'opportunity',
      entityId: opportunityId,
      parentId: current.customerId,
      action: 'assign',
      changes: { ...diffFields(current, saved), reason: { to: assignment.reason } },
      events: [{ type: 'opportunity.reassigned', data: { from: current.owner, to: assignment.owner, reason: assignment.reason, rule: assignment.rule } }],
    });
    await commitOpportunityChange(deps, actor, {
      opportunity: replaceOpportunity(saved, current.version),
      log,
      notifications: assignmentNotifications(deps, actor.tenantId, now, assignment, { type: 'opportunity', id: opportunityId, name: current.name }),
    });
    return toOpportunityView(saved);
  }, {});
}

// ---- stage moves -----------------------------------------------------------------------------------

/**
 * Moves an opportunity to another stage, through every gate on the way (422 listing what is missing).
 * Honours If-Match; two moves from the same version never both succeed.
 */
export async function moveStage(
  deps: Deps,
  actor: Actor,
  opportunityId: string,
  input: MoveStageInput,
  options: WriteOptions = {},
): Promise<OpportunityView> {
  return retryOnConcurrentChange(async () => {
    const [current, pipeline] = await Promise.all([
      readOpportunity(deps, actor, opportunityId),
      loadPipeline(deps, actor.tenantId, { consistent: true }),
    ]);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'opportunity');
    const lostReasons = input.stage === 'lost' ? (await getSettings(deps, actor)).lostReasons : [];
    const plan = planStageMove({
      pipeline: pipeline.definition,
      currentStage: current.stage,
      target: input.stage,
      actor,
      note: input.note,
      lostReason: input.lostReason,
      lostReasons,
    });
    const needsCustomer = plan.kind === 'won' || factSourcesFor(plan.gates).length > 0;
    const customer = needsCustomer ? await readCustomer(deps, actor, current.customerId) : undefined;
    const missing = unmetCriteria(plan.gates, await gateFacts(deps, actor, current, customer, plan));
    if (missing.length > 0) {
      throw new UnprocessableError(`The opportunity cannot move to ${plan.to} yet: ${missing.length} gate criteria are not met`, missing);
    }
    return applyMove(deps, actor, current, pipeline, plan, { note: input.note, lostReason: input.lostReason, customer });
  }, options);
}

async function gateFacts(
  deps: Deps,
  actor: Actor,
  opportunity: OpportunityItem,
  customer: CustomerItem | undefined,
  plan: MovePlan,
): Promise<GateFacts> {
  const sources = factSourcesFor(plan.gates);
  const facts: GateFacts = { opportunity };
  if (sources.includes('customerContacts')) {
    const { data } = await deps.db.entities.contact.query
      .byCustomer({ tenantId: actor.tenantId, customerId: opportunity.customerId })
      .go({ limit: 1 });
    facts.customerContactCount = data.length;
  }
  if (sources.includes('customerActivity')) facts.customerLastContactedAt = customer?.lastContactedAt;
  if (sources.includes('opportunityQuotes')) {
    const { data } = await deps.db.entities.quote.query
      .byOpportunity({ tenantId: actor.tenantId, opportunityId: opportunity.opportunityId })
      .go({ pages: 'all', attributes: ['status'] });
    facts.quoteStatuses = data.map((quote) => quote.status);
  }
  if (sources.includes('opportunityContracts')) {
    const { data } = await deps.db.entities.contract.query
      .byOpportunity({ tenantId: actor.tenantId, opportunityId: opportunity.opportunityId })
      .go({ pages: 'all', attributes: ['status'] });
    facts.contractStatuses = data.map((contract) => contract.status);
  }
  return facts;
}

async function applyMove(
  deps: Deps,
  actor: Actor,
  current: OpportunityItem,
  pipeline: LoadedPipeline,
  plan: MovePlan,
  details: { note?: string; lostReason?: string; customer?: CustomerItem },
): Promise<OpportunityView> {
  const now = deps.clock.now().toISOString();
  const status = statusOfStage(plan.to);
  const { closedAt: _closedAt, lostReason: _lostReason, ...openFields } = current;
  const saved: OpportunityItem = {
    ...openFields,
    stage: plan.to,
    status,
    probability: defaultProbability(pipeline.definition, plan.to),
    stageEnteredAt: now,
    ...(status !== 'open' && { closedAt: now }),
    ...(plan.kind === 'lost' && { lostReason: details.lostReason }),
    updatedAt: now,
    updatedBy: actor.userId,
    version: current.version + 1,
  };
  const history = stageChangeItem(deps, actor, current.opportunityId, {
    from: current.stage,
    to: plan.to,
    at: now,
    note: details.note,
    lostReason: plan.kind === 'lost' ? details.lostReason : undefined,
  });
  const moveData = { from: current.stage, to: plan.to, kind: plan.kind, ...(details.note && { note: details.note }) };
  const log = logChange(deps, actor, now, {
    entityType: 'opportunity',
    entityId: current.opportunityId,
    parentId: current.customerId,
    action: plan.kind === 'reopen' ? 'reopen' : 'stage',
    changes: diffFields(current, saved),
    events: [
      { type: 'opportunity.stage_changed', data: moveData },
      ...(plan.kind === 'won' ? [{ type: 'opportunity.won', data: { amount: current.amount } }] : []),
      ...(plan.kind === 'lost' ? [{ type: 'opportunity.lost', data: { lostReason: details.lostReason } }] : []),
      ...(plan.kind === 'reopen' ? [{ type: 'opportunity.reopened', data: { from: current.stage, to: plan.to } }] : []),
    ],
  });
  // Winning makes the customer a customer, in the same transaction.
  const customerMove =
    plan.kind === 'won' && details.customer && details.customer.lifecycle !== 'customer'
      ? lifecycleChange(deps, actor, details.customer, 'customer', now)
      : undefined;
  await commitOpportunityChange(deps, actor, {
    opportunity: replaceOpportunity(saved, current.version),
    history,
    log,
    pipeline,
    customer: details.customer,
    customerMove,
    staleTimer:
      status === 'open'
        ? { put: staleDealTimer(actor.tenantId, current.opportunityId, staleAfterDaysOf(pipeline.definition, plan.to), deps.clock.now()) }
        : { clearFor: current.opportunityId },
  });
  return toOpportunityView(saved);
}

/**
 * Moves every opportunity of a removed stage to its replacement (after a pipeline change), each with a stage
 * history entry saying why. Returns how many moved.
 */
export async function moveOpportunitiesOfStage(deps: Deps, actor: Actor, from: string, to: string): Promise<number> {
  let moved = 0;
  const seen = new Set<string>();
  for (;;) {
    const { data } = await deps.db.entities.opportunity.query.byStage({ tenantId: actor.tenantId, stage: from }).go({ limit: 25 });
    // The index is eventually consistent: items already moved may still show up once; never loop on them.
    const fresh = data.filter((item) => !seen.has(item.opportunityId));
    if (fresh.length === 0) return moved;
    for (const item of fresh) seen.add(item.opportunityId);
    await Promise.all(
      fresh.map((item) =>
        retryOnConcurrentChange(async () => {
          const current = await readOpportunity(deps, actor, item.opportunityId);
          if (current.stage !== from) return;
          const pipeline = await loadPipeline(deps, actor.tenantId, { consistent: true });
          await applyMove(deps, actor, current, pipeline, { kind: 'forward', from, to, gates: [] }, {
            note: `Pipeline changed: stage ${from} was removed`,
          });
          moved += 1;
        }, {}),
      ),
    );
  }
}

// ---- history ---------------------------------------------------------------------------------------

export async function getStageHistory(deps: Deps, actor: Actor, opportunityId: string): Promise<StageHistoryView> {
  const [, changes] = await Promise.all([
    readOpportunity(deps, actor, opportunityId),
    deps.db.entities.stageChange.query.byOpportunity({ tenantId: actor.tenantId, opportunityId }).go({ pages: 'all' }),
  ]);
  const ordered = changes.data;
  const intervals = stageIntervals(ordered, deps.clock.now());
  return {
    opportunityId,
    intervals,
    totals: stageTotals(intervals),
    changes: ordered.map((change) =>
      compact({
        id: change.changeId,
        from: change.from,
        to: change.to,
        actor: change.actor,
        at: change.at,
        note: change.note,
        lostReason: change.lostReason,
      }),
    ),
  };
}

/**
 * The primary quote sets the opportunity's amount: the writes for that, committed inside the quote's own
 * transaction (the opportunity guarded by the version read). `undefined` when the amount is already right.
 */
export function amountChange(deps: Deps, actor: Actor, current: OpportunityItem, amount: { amount: number; currency: string }, at: string) {
  if (current.amount?.amount === amount.amount && current.amount.currency === amount.currency) return undefined;
  const next: OpportunityItem = { ...current, amount, updatedAt: at, updatedBy: actor.userId, version: current.version + 1 };
  const changes = { amount: { from: current.amount, to: amount } };
  return {
    opportunity: next,
    expectedVersion: current.version,
    log: logChange(deps, actor, at, {
      entityType: 'opportunity',
      entityId: current.opportunityId,
      parentId: current.customerId,
      action: 'update',
      changes,
      events: opportunityUpdateEvents(changes),
    }),
  };
}

// ---- shared --------------------------------------------------------------------------------------

export async function readOpportunity(deps: Deps, actor: Actor, opportunityId: string): Promise<OpportunityItem> {
  const { data } = await deps.db.entities.opportunity.get({ tenantId: actor.tenantId, opportunityId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Opportunity ${opportunityId} not found`);
  return data;
}

/** The opportunity must exist in the caller's tenant (for routes that read its linked records). */
export async function assertOpportunityExists(deps: Deps, actor: Actor, opportunityId: string): Promise<OpportunityView> {
  return toOpportunityView(await readOpportunity(deps, actor, opportunityId));
}

function stageChangeItem(
  deps: Deps,
  actor: Actor,
  opportunityId: string,
  change: { from?: string; to: string; at: string; note?: string; lostReason?: string },
): StageChangeItem {
  return { tenantId: actor.tenantId, opportunityId, changeId: deps.ids.next(), actor: actor.userId, ...change };
}

/** The opportunity replaced, conditional on the version it was read at: a concurrent change cancels the transaction. */
function replaceOpportunity(saved: OpportunityItem, readVersion: number): OpportunityChange['opportunity'] {
  return (entities) =>
    entities.opportunity
      .put(saved)
      .where((attr, op) => op.eq(attr.version, readVersion))
      .commit();
}

interface OpportunityChange {
  opportunity: (entities: TransactionEntities) => ReturnType<Parameters<SalesDb['transaction']['write']>[0]>[number];
  history?: StageChangeItem;
  log: ChangeLog;
  /** When given, the move is bound to this pipeline version. */
  pipeline?: LoadedPipeline;
  /** When given, the customer must still be at the version read (and is moved if `customerMove`). */
  customer?: CustomerItem;
  customerMove?: ReturnType<typeof lifecycleChange>;
  /** The deal's stale check: rescheduled while open, removed once closed. */
  staleTimer?: { put: TimerItem } | { clearFor: string };
  notifications?: NotificationItem[];
}

async function commitOpportunityChange(deps: Deps, actor: Actor, change: OpportunityChange): Promise<void> {
  const outcome = await deps.db.transaction
    .write((entities) => [
      change.opportunity(entities),
      ...(change.history ? [entities.stageChange.create(change.history).commit()] : []),
      ...(change.pipeline
        ? [
            entities.pipeline
              .check({ tenantId: actor.tenantId })
              .where((attr, op) => (change.pipeline?.version === 0 ? op.notExists(attr.version) : op.eq(attr.version, change.pipeline?.version ?? 0)))
              .commit(),
          ]
        : []),
      ...(change.customerMove
        ? [
            entities.customer
              .put(change.customerMove.customer)
              .where((attr, op) => op.eq(attr.version, change.customerMove?.expectedVersion ?? -1))
              .commit(),
            ...changeLogCommits(entities, change.customerMove.log),
          ]
        : change.customer
          ? [
              entities.customer
                .check({ tenantId: actor.tenantId, customerId: change.customer.customerId })
                .where((attr, op) => op.eq(attr.state, 'active'))
                .commit(),
            ]
          : []),
      ...changeLogCommits(entities, change.log),
      ...(change.notifications ?? []).map((item) => entities.notification.create(item).commit()),
      ...(change.staleTimer === undefined
        ? []
        : 'put' in change.staleTimer
          ? [entities.timer.put(change.staleTimer.put).commit()]
          : [entities.timer.delete({ tenantId: actor.tenantId, timerId: timerId('deal', change.staleTimer.clearFor) }).commit()]),
    ])
    .go();
  if (!outcome.canceled) return;
  if (outcome.data.some((item) => item.code === 'ConditionalCheckFailed') || conflictedWithAnotherTransaction(outcome)) {
    throw new ConcurrentChange();
  }
  if (rejectedAt(outcome, 0)) throw new ConcurrentChange();
  throw new Error(`Opportunity change failed: ${describeOutcome(outcome)}`);
}

function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

export function toOpportunityView(item: OpportunityItem): OpportunityView {
  return compact({
    id: item.opportunityId,
    customerId: item.customerId,
    name: item.name,
    owner: item.owner,
    amount: item.amount,
    expectedCloseDate: item.expectedCloseDate,
    stage: item.stage,
    status: item.status,
    probability: item.probability,
    interestPoints: item.interestPoints ?? [],
    decisionFactors: item.decisionFactors ?? {},
    competitors: item.competitors ?? [],
    nextStep: item.nextStep,
    nextStepDate: item.nextStepDate,
    source: item.source,
    lostReason: item.lostReason,
    closedAt: item.closedAt,
    stageEnteredAt: item.stageEnteredAt,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
    version: item.version,
  }) as OpportunityView;
}

