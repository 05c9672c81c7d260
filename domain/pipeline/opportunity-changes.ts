/** Use cases: changing an open opportunity's fields, reassigning it, and the amount its primary quote sets. */
import { assignmentNotifications, chooseOwner, customerFacts, type Assignment } from '../assignment';
import type { AssignInput } from '../assignment/schemas';
import { readCustomer } from '../customers';
import { ConflictError, ForbiddenError } from '../errors';
import { assertMayChangeOwned, seesWholeTenant, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { applyPatch, diffFields, type FieldChange } from '../shared/records';
import { versionedWrite, type WriteOptions, type WriteSet } from '../shared/versioned-write';
import { readOpportunity, toOpportunityView } from './opportunities';
import { closeDateChange, replaceOpportunity, type OpportunityItem } from './opportunity-writes';
import { loadPipeline } from './pipeline-config';
import { defaultProbability } from './rules';
import type { OpportunityView, UpdateOpportunityInput } from './schemas';

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
  return versionedWrite(deps, options, {
    read: async () => {
      const [current, pipeline] = await Promise.all([readOpportunity(deps, actor, opportunityId), loadPipeline(deps, actor.tenantId)]);
      return { current, pipeline };
    },
    version: ({ current }) => current.version,
    build: ({ current, pipeline }) => {
      assertMayChangeOwned(actor, current.owner, 'opportunity');
      if (patch.owner !== undefined && patch.owner !== current.owner && !seesWholeTenant(actor)) {
        throw new ForbiddenError('Only managers and admins reassign an opportunity');
      }
      // A closed deal's forecast category is fixed (won: closed, lost: omitted): its override is refused here too.
      assertOpen(current, 'a manager must reopen it before it changes');
      const { probability, forecastCategory, ...rest } = patch;
      const next = applyPatch(current, { ...rest, ...(forecastCategory !== undefined && { forecastCategoryOverride: forecastCategory }) });
      if (probability !== undefined) next.probability = probability ?? defaultProbability(pipeline.definition, current.stage);
      const changes = diffFields(current, next);
      if (Object.keys(changes).length === 0) return { result: toOpportunityView(current, pipeline.definition) };
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
      return {
        result: toOpportunityView(saved, pipeline.definition),
        write: (tx) => {
          replaceOpportunity(tx.log(log), saved, current.version);
          if (changes.expectedCloseDate) closeDateChange(tx, deps, actor, opportunityId, { from: current.expectedCloseDate, to: saved.expectedCloseDate, at: now });
        },
      };
    },
  });
}

/** Reassigns an open opportunity (managers): to the given owner, or to whom the rules choose now; with the reason. */
export async function assignOpportunity(deps: Deps, actor: Actor, opportunityId: string, input: AssignInput): Promise<OpportunityView> {
  if (!seesWholeTenant(actor)) throw new ForbiddenError('Only managers and admins reassign opportunities');
  const opportunity = await readOpportunity(deps, actor, opportunityId);
  if (input.owner) return reassignOpportunity(deps, actor, opportunityId, { owner: input.owner, fallback: false, reason: input.reason });
  const customer = await readCustomer(deps, actor, opportunity.customerId);
  const chosen = await chooseOwner(deps, actor, { ...customerFacts(customer), kind: 'opportunity', amount: opportunity.amount });
  return reassignOpportunity(deps, actor, opportunityId, { ...chosen, reason: `${input.reason} — ${chosen.reason}` }).finally(chosen.settle);
}

/** A manager's reassignment (given owner or the rules' choice), recorded with its reason; the new owner is told. */
async function reassignOpportunity(deps: Deps, actor: Actor, opportunityId: string, assignment: Assignment): Promise<OpportunityView> {
  return versionedWrite(deps, {}, {
    read: async () => {
      const [current, pipeline] = await Promise.all([readOpportunity(deps, actor, opportunityId), loadPipeline(deps, actor.tenantId)]);
      return { current, pipeline };
    },
    build: ({ current, pipeline }) => {
      if (current.status !== 'open') {
        throw new ConflictError(`The opportunity is ${current.status}; only an open one is reassigned`, { opportunityStatus: current.status });
      }
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
      const notifications = assignmentNotifications(deps, actor.tenantId, now, assignment, { type: 'opportunity', id: opportunityId, name: current.name });
      return {
        result: toOpportunityView(saved, pipeline.definition),
        write: (tx) => replaceOpportunity(tx.notify(notifications).log(log), saved, current.version),
      };
    },
  });
}

/**
 * The primary quote sets the opportunity's amount: the writes for that, in the quote's own transaction (the
 * opportunity at the version read). `undefined` when the amount is already right.
 */
export function opportunityAmountInChange(
  deps: Deps,
  actor: Actor,
  current: OpportunityItem,
  amount: { amount: number; currency: string },
  at: string,
): ((tx: WriteSet) => void) | undefined {
  if (current.amount?.amount === amount.amount && current.amount.currency === amount.currency) return undefined;
  // A closed deal keeps the rate of its currency on its close date (closeRate); in the same currency the amount
  // may follow its quote and the rate still holds, but another currency would leave it with a rate of the wrong one.
  if (current.status !== 'open' && current.amount?.currency !== amount.currency) {
    throw new ConflictError(
      `The opportunity is ${current.status} in ${current.amount?.currency ?? 'no currency'}; a manager must reopen it before its amount changes to ${amount.currency}`,
      { status: current.status },
    );
  }
  const saved: OpportunityItem = { ...current, amount, updatedAt: at, updatedBy: actor.userId, version: current.version + 1 };
  const changes = { amount: { from: current.amount, to: amount } };
  const log = logChange(deps, actor, at, {
    entityType: 'opportunity',
    entityId: current.opportunityId,
    parentId: current.customerId,
    action: 'update',
    changes,
    events: opportunityUpdateEvents(changes),
  });
  return (tx) => replaceOpportunity(tx.log(log), saved, current.version);
}

function opportunityUpdateEvents(changes: Record<string, FieldChange>) {
  return [
    { type: 'opportunity.updated', data: { changes } },
    ...(changes.owner ? [{ type: 'opportunity.reassigned', data: { from: changes.owner.from, to: changes.owner.to } }] : []),
    ...(changes.amount ? [{ type: 'opportunity.amount_changed', data: { from: changes.amount.from, to: changes.amount.to } }] : []),
  ];
}

function assertOpen(opportunity: OpportunityItem, hint: string): void {
  if (opportunity.status !== 'open') {
    throw new ConflictError(`The opportunity is ${opportunity.status}; ${hint}`, { status: opportunity.status });
  }
}
