/**
 * Use cases: opening, reading and listing opportunities. Every change of an opportunity is one transaction: the
 * opportunity (at the version read), its stage history, the customer's lifecycle where it moves, the pipeline's
 * version (so nothing slips past a concurrent pipeline change), the audit entry and the domain events.
 */
import { AUTO_OWNER, assignmentData, assignmentNotifications, chooseOwner, customerFacts, type Chosen } from '../assignment';
import { assertNotArchived, customerInChange, readCustomer } from '../customers';
import { ForbiddenError, NotFoundError } from '../errors';
import { assertMayChangeOwned, ownerForNewRecord, seesWholeTenant, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { compact, createdFields } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import { closeDateChange, pipelineUnchanged, scheduleStaleCheck, stageChangeItem, type OpportunityItem } from './opportunity-writes';
import { loadPipeline } from './pipeline-config';
import { defaultProbability, forecastCategoryOf, type PipelineDefinition } from './rules';
import type { CreateOpportunityInput, ListOpportunitiesInput, OpportunityView } from './schemas';

export type { OpportunityItem } from './opportunity-writes';

export async function createOpportunity(deps: Deps, actor: Actor, input: CreateOpportunityInput): Promise<OpportunityView> {
  if (input.probability !== undefined && !seesWholeTenant(actor)) {
    throw new ForbiddenError('Only managers and admins set a probability other than the stage default');
  }
  const auto = input.owner === AUTO_OWNER;
  const requestedOwner = auto ? undefined : ownerForNewRecord(actor, input.owner);
  let assignment: Chosen | undefined;
  try {
    return await versionedWrite(deps, {}, {
      read: async () => {
        // Consistently: the change is bound to this pipeline version, so an outdated one could never commit.
        const [customer, pipeline] = await Promise.all([readCustomer(deps, actor, input.customerId), loadPipeline(deps, actor.tenantId, { consistent: true })]);
        return { customer, pipeline };
      },
      build: async ({ customer, pipeline }) => {
        assertMayChangeOwned(actor, customer.owner, 'customer');
        assertNotArchived(customer);
        // The rules choose once: a re-applied create keeps the owner (and the turn) it was given.
        if (auto) assignment ??= await chooseOwner(deps, actor, { ...customerFacts(customer), kind: 'opportunity', amount: input.amount });
        const owner = assignment?.owner ?? (requestedOwner as string);
        const now = deps.clock.now();
        const at = now.toISOString();
        const firstStage = pipeline.definition.stages[0]?.key as string;
        // The first opportunity of a lead makes it a prospect, in the same transaction.
        const customerWrite = customerInChange(deps, actor, customer, at, customer.lifecycle === 'lead' ? 'prospect' : undefined);
        const { probability, owner: _owner, ...fields } = input;
        const opportunity: OpportunityItem = {
          tenantId: actor.tenantId,
          opportunityId: deps.ids.next(),
          ...fields,
          owner,
          stage: firstStage,
          status: 'open',
          probability: probability ?? defaultProbability(pipeline.definition, firstStage),
          stageEnteredAt: at,
          createdAt: at,
          createdBy: actor.userId,
          updatedAt: at,
          updatedBy: actor.userId,
          version: 1,
        };
        const view = toOpportunityView(opportunity, pipeline.definition);
        const log = logChange(deps, actor, at, {
          entityType: 'opportunity',
          entityId: opportunity.opportunityId,
          parentId: customer.customerId,
          action: 'create',
          changes: createdFields(view, ['stageEnteredAt']),
          events: [
            { type: 'opportunity.created', data: { opportunity: view } },
            ...(assignment ? [{ type: 'opportunity.assigned', data: assignmentData(assignment) }] : []),
          ],
        });
        const notifications = assignment
          ? assignmentNotifications(deps, actor.tenantId, at, assignment, { type: 'opportunity', id: opportunity.opportunityId, name: opportunity.name })
          : [];
        return {
          result: view,
          write: (tx) => {
            tx.put('opportunity', tx.entities.opportunity.create(opportunity).commit());
            tx.put('stageChange', tx.entities.stageChange.create(stageChangeItem(deps, actor, opportunity.opportunityId, { to: firstStage, at })).commit());
            closeDateChange(tx, deps, actor, opportunity.opportunityId, { to: opportunity.expectedCloseDate, at });
            pipelineUnchanged(tx, actor.tenantId, pipeline);
            customerWrite(tx);
            scheduleStaleCheck(tx, actor.tenantId, opportunity.opportunityId, pipeline, firstStage, now);
            tx.notify(notifications).log(log);
          },
        };
      },
    });
  } finally {
    await assignment?.settle();
  }
}

export async function getOpportunity(deps: Deps, actor: Actor, opportunityId: string): Promise<OpportunityView> {
  const [opportunity, pipeline] = await Promise.all([readOpportunity(deps, actor, opportunityId), loadPipeline(deps, actor.tenantId)]);
  return toOpportunityView(opportunity, pipeline.definition);
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
  const [page, pipeline] = await Promise.all([readPage(deps, scope, input, filtered, { filtered: Boolean(needsFilter) }), loadPipeline(deps, tenantId)]);
  return { ...page, items: page.items.map((item) => toOpportunityView(item, pipeline.definition)) };
}

export async function readOpportunity(deps: Deps, actor: Actor, opportunityId: string): Promise<OpportunityItem> {
  const { data } = await deps.db.entities.opportunity.get({ tenantId: actor.tenantId, opportunityId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Opportunity ${opportunityId} not found`);
  return data;
}

function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** The opportunity as the API shows it; its effective forecast category depends on the tenant's pipeline. */
export function toOpportunityView(item: OpportunityItem, pipeline: PipelineDefinition): OpportunityView {
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
    forecastCategory: forecastCategoryOf(item, pipeline),
    forecastCategoryOverride: item.forecastCategoryOverride,
    closeRate: item.closeRate,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
    version: item.version,
  }) as OpportunityView;
}
