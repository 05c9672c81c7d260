/**
 * Use cases: moving an opportunity through the funnel — forward through every gate on the way (422 listing what
 * is missing), back with a note, lost with a reason, won from the last open stage — and moving every
 * opportunity of a stage a pipeline change removed.
 */
import { customerInChange, readCustomer, type CustomerItem } from '../customers';
import { UnprocessableError } from '../errors';
import { getSettings, ratesOn, readRates } from '../settings';
import { assertMayChangeOwned, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { localDate } from '../shared/local-date';
import { diffFields } from '../shared/records';
import { versionedWrite, type Planned, type WriteOptions } from '../shared/versioned-write';
import { factSourcesFor, unmetCriteria, type GateFacts } from './gates';
import { readOpportunity, toOpportunityView } from './opportunities';
import {
  clearStaleCheck,
  pipelineUnchanged,
  replaceOpportunity,
  scheduleStaleCheck,
  stageChangeItem,
  type OpportunityItem,
} from './opportunity-writes';
import { loadPipeline, type LoadedPipeline } from './pipeline-config';
import { closeRateFor, defaultProbability, planStageMove, statusOfStage, type CloseRate, type MovePlan } from './rules';
import type { MoveStageInput, OpportunityView } from './schemas';

/** Honours If-Match; two moves from the same version never both succeed. */
export async function moveStage(
  deps: Deps,
  actor: Actor,
  opportunityId: string,
  input: MoveStageInput,
  options: WriteOptions = {},
): Promise<OpportunityView> {
  return versionedWrite(deps, options, {
    read: () => readWithPipeline(deps, actor, opportunityId),
    version: ({ current }) => current.version,
    build: async ({ current, pipeline }) => {
      assertMayChangeOwned(actor, current.owner, 'opportunity');
      const closing = input.stage === 'won' || input.stage === 'lost';
      const settings = closing ? await getSettings(deps, actor) : undefined;
      const lostReasons = input.stage === 'lost' ? (settings?.lostReasons ?? []) : [];
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
        const criteria = missing.length === 1 ? 'one gate criterion is' : `${missing.length} gate criteria are`;
        throw new UnprocessableError(`The opportunity cannot move to ${plan.to} yet: ${criteria} not met`, missing);
      }
      const now = deps.clock.now();
      const closeRate = settings && (plan.kind === 'won' || plan.kind === 'lost') ? await closeRateOf(deps, actor, current, settings, now) : undefined;
      return plannedMove(deps, actor, current, pipeline, plan, { note: input.note, lostReason: input.lostReason, customer, closeRate, now });
    },
  });
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
    const results = await Promise.all(
      fresh.map((item) =>
        versionedWrite(deps, {}, {
          read: () => readWithPipeline(deps, actor, item.opportunityId),
          build: async ({ current, pipeline }): Promise<Planned<boolean>> => {
            if (current.stage !== from) return { result: false };
            const planned = await plannedMove(deps, actor, current, pipeline, { kind: 'forward', from, to, gates: [] }, {
              note: `Pipeline changed: stage ${from} was removed`,
            });
            return { result: true, write: planned.write };
          },
        }),
      ),
    );
    moved += results.filter(Boolean).length;
  }
}

async function readWithPipeline(deps: Deps, actor: Actor, opportunityId: string) {
  const [current, pipeline] = await Promise.all([
    readOpportunity(deps, actor, opportunityId),
    loadPipeline(deps, actor.tenantId, { consistent: true }),
  ]);
  return { current, pipeline };
}

/**
 * The rate a deal closing now keeps: of its currency, in effect on the local date (reporting time zone) of its
 * close. Read when it closes and frozen: a rate entered later, even one dated on or before that day, leaves it.
 */
async function closeRateOf(
  deps: Deps,
  actor: Actor,
  opportunity: OpportunityItem,
  settings: { baseCurrency: string; reportingTimezone: string },
  closedAt: Date,
): Promise<CloseRate | undefined> {
  if (!opportunity.amount || opportunity.amount.currency === settings.baseCurrency) return undefined;
  const closeDate = localDate(closedAt, { timezone: settings.reportingTimezone });
  return closeRateFor(opportunity.amount, settings.baseCurrency, ratesOn(await readRates(deps, actor.tenantId), closeDate));
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

/**
 * The move's writes: the opportunity in its new stage, its history entry, the pipeline version it was planned
 * on, the customer (a customer once won, else still active), the stale check (rescheduled while open, removed
 * once closed), and the change log. Closing a deal drops its forecast-category override (a closed deal is
 * `closed` or `omitted`, whatever it said) and keeps the close rate it was given; reopening drops that rate.
 */
function plannedMove(
  deps: Deps,
  actor: Actor,
  current: OpportunityItem,
  pipeline: LoadedPipeline,
  plan: MovePlan,
  details: { note?: string; lostReason?: string; customer?: CustomerItem; closeRate?: CloseRate; now?: Date },
): Planned<OpportunityView> {
  const now = details.now ?? deps.clock.now();
  const at = now.toISOString();
  const status = statusOfStage(plan.to);
  const { closedAt: _closedAt, lostReason: _lostReason, closeRate: _closeRate, forecastCategoryOverride, ...openFields } = current;
  const saved: OpportunityItem = {
    ...openFields,
    stage: plan.to,
    status,
    probability: defaultProbability(pipeline.definition, plan.to),
    stageEnteredAt: at,
    ...(status === 'open' && forecastCategoryOverride !== undefined && { forecastCategoryOverride }),
    ...(status !== 'open' && { closedAt: at }),
    ...(status !== 'open' && details.closeRate && { closeRate: details.closeRate }),
    ...(plan.kind === 'lost' && { lostReason: details.lostReason }),
    updatedAt: at,
    updatedBy: actor.userId,
    version: current.version + 1,
  };
  const history = stageChangeItem(deps, actor, current.opportunityId, {
    from: current.stage,
    to: plan.to,
    at,
    note: details.note,
    lostReason: plan.kind === 'lost' ? details.lostReason : undefined,
  });
  const moveData = { from: current.stage, to: plan.to, kind: plan.kind, ...(details.note && { note: details.note }) };
  const log = logChange(deps, actor, at, {
    entityType: 'opportunity',
    entityId: current.opportunityId,
    parentId: current.customerId,
    action: plan.kind === 'reopen' ? 'reopen' : 'stage',
    changes: diffFields(current, saved),
    events: [
      { type: 'opportunity.stage_changed', data: moveData },
      ...(plan.kind === 'won' ? [{ type: 'opportunity.won', data: { amount: current.amount, ...(saved.closeRate && { closeRate: saved.closeRate }) } }] : []),
      ...(plan.kind === 'lost' ? [{ type: 'opportunity.lost', data: { lostReason: details.lostReason, ...(saved.closeRate && { closeRate: saved.closeRate }) } }] : []),
      ...(plan.kind === 'reopen' ? [{ type: 'opportunity.reopened', data: { from: current.stage, to: plan.to } }] : []),
    ],
  });
  // Winning makes the customer a customer, in the same transaction.
  const customerWrite = details.customer && customerInChange(deps, actor, details.customer, at, plan.kind === 'won' ? 'customer' : undefined);
  return {
    result: toOpportunityView(saved, pipeline.definition),
    write: (tx) => {
      replaceOpportunity(tx, saved, current.version);
      tx.put('stageChange', tx.entities.stageChange.create(history).commit());
      pipelineUnchanged(tx, actor.tenantId, pipeline);
      customerWrite?.(tx);
      if (status === 'open') scheduleStaleCheck(tx, actor.tenantId, current.opportunityId, pipeline, plan.to, now);
      else clearStaleCheck(tx, actor.tenantId, current.opportunityId);
      tx.log(log);
    },
  };
}
