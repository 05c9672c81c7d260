/** Use case: an opportunity's stage history — every move, and the time spent per stage. */
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { compact } from '../shared/records';
import { readOpportunity } from './opportunities';
import { stageIntervals, stageTotals } from './rules';
import type { StageHistoryView } from './schemas';

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
