/** The items an opportunity change puts in its transaction, shared by the opportunity use cases. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { staleDealTimer, timerId } from '../scheduling';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import type { WriteSet } from '../shared/versioned-write';
import type { LoadedPipeline } from './pipeline-config';
import { staleAfterDaysOf } from './rules';

type Entities = SalesDb['entities'];
export type OpportunityItem = EntityItem<Entities['opportunity']>;
export type StageChangeItem = EntityItem<Entities['stageChange']>;
export type CloseDateChangeItem = EntityItem<Entities['closeDateChange']>;

/** The opportunity replaced, on the condition that it is still at the version it was read at. */
export function replaceOpportunity(tx: WriteSet, saved: OpportunityItem, readVersion: number): void {
  tx.record(
    'opportunity',
    tx.entities.opportunity
      .put(saved)
      .where((attr, op) => op.eq(attr.version, readVersion))
      .commit(),
  );
}

/** Binds the change to the pipeline version it was decided on: no stage move slips past a pipeline change. */
export function pipelineUnchanged(tx: WriteSet, tenantId: string, pipeline: LoadedPipeline): void {
  tx.record(
    'pipeline',
    tx.entities.pipeline
      .check({ tenantId })
      .where((attr, op) => (pipeline.version === 0 ? op.notExists(attr.version) : op.eq(attr.version, pipeline.version)))
      .commit(),
  );
}

/** An open deal's stale check, (re)scheduled `staleAfterDays` of its stage from `from`. */
export function scheduleStaleCheck(tx: WriteSet, tenantId: string, opportunityId: string, pipeline: LoadedPipeline, stage: string, from: Date): void {
  tx.put('timer', tx.entities.timer.put(staleDealTimer(tenantId, opportunityId, staleAfterDaysOf(pipeline.definition, stage), from)).commit());
}

/** A closed deal needs no stale check. */
export function clearStaleCheck(tx: WriteSet, tenantId: string, opportunityId: string): void {
  tx.put('timer', tx.entities.timer.delete({ tenantId, timerId: timerId('deal', opportunityId) }).commit());
}

export function stageChangeItem(
  deps: Deps,
  actor: Actor,
  opportunityId: string,
  change: { from?: string; to: string; at: string; note?: string; lostReason?: string },
): StageChangeItem {
  return { tenantId: actor.tenantId, opportunityId, changeId: deps.ids.next(), actor: actor.userId, ...change };
}

/** A new expected close date (`from` absent at creation), for the opportunity's partition, in the change's transaction. */
export function closeDateChange(
  tx: WriteSet,
  deps: Deps,
  actor: Actor,
  opportunityId: string,
  change: { from?: string; to: string; at: string },
): void {
  const item: CloseDateChangeItem = { tenantId: actor.tenantId, opportunityId, changeId: deps.ids.next(), actor: actor.userId, ...change };
  tx.put('closeDateChange', tx.entities.closeDateChange.create(item).commit());
}
