/**
 * Use cases: an opportunity's history — its stage moves with the time spent per stage, and its close-date
 * changes — and the one read both come from: the opportunity's partition, in one query.
 */
import { NotFoundError } from '../errors';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { compact } from '../shared/records';
import type { CloseDateChangeItem, OpportunityItem, StageChangeItem } from './opportunity-writes';
import { stageIntervals, stageTotals } from './rules';
import type { CloseDateHistoryView, StageHistoryView } from './schemas';

export type { CloseDateChangeItem, StageChangeItem } from './opportunity-writes';

export interface OpportunityHistory {
  opportunity: OpportunityItem;
  /** Oldest first; the first is the creation (no `from`). */
  stageChanges: StageChangeItem[];
  /** Oldest first; the first is the creation (no `from`). */
  closeDateChanges: CloseDateChangeItem[];
}

/**
 * The opportunity with its stage changes and close-date changes: ONE DynamoDB query of its partition (the
 * `opportunityHistory` collection, strongly consistent; it pages only when the partition outgrows 1 MB). The
 * partition also holds copies of the deal's activities (customers context): the query reads them and leaves
 * them out. Tenant-scoped by its key; an opportunity that does not exist (opportunities are never deleted) is a
 * NotFoundError.
 */
export async function readOpportunityHistory(deps: Deps, tenantId: string, opportunityId: string): Promise<OpportunityHistory> {
  const { data } = await deps.db.collections.opportunityHistory({ tenantId, opportunityId }).go({ pages: 'all', consistent: true });
  const opportunity = data.opportunity[0];
  if (!opportunity) throw new NotFoundError(`Opportunity ${opportunityId} not found`);
  const byId = <T extends { changeId: string }>(items: T[]) => [...items].sort((a, b) => (a.changeId < b.changeId ? -1 : a.changeId > b.changeId ? 1 : 0));
  return { opportunity, stageChanges: byId(data.stageChange), closeDateChanges: byId(data.closeDateChange) };
}

export async function getStageHistory(deps: Deps, actor: Actor, opportunityId: string): Promise<StageHistoryView> {
  const { stageChanges: ordered } = await readOpportunityHistory(deps, actor.tenantId, opportunityId);
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

/** Every expected close date the opportunity had, oldest first. */
export async function getCloseDateHistory(deps: Deps, actor: Actor, opportunityId: string): Promise<CloseDateHistoryView> {
  const { closeDateChanges } = await readOpportunityHistory(deps, actor.tenantId, opportunityId);
  return {
    opportunityId,
    changes: closeDateChanges.map((change) => compact({ id: change.changeId, from: change.from, to: change.to, actor: change.actor, at: change.at })),
  };
}
