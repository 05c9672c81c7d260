/** Use case: an admin replaces the pipeline's open stages without orphaning a single opportunity. */
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import { loadPipeline, toPipelineView, type PipelineItem } from './pipeline-config';
import { validatePipelineChange, withForecastCategories } from './rules';
import type { PipelineView, PutPipelineInput } from './schemas';
import { moveOpportunitiesOfStage } from './stage-moves';

/**
 * A removed stage that still has opportunities must be mapped to a new one; the pipeline is saved first (stage
 * moves check its version, so nothing enters a removed stage after that), then those opportunities move, each
 * with a history entry. A removed stage stays as an alias of its target, so even an interrupted move leaves no
 * opportunity without a stage; repeating the PUT finishes it.
 */
export async function putPipeline(deps: Deps, actor: Actor, input: PutPipelineInput, options: { ifMatch?: number }): Promise<PipelineView> {
  const saved = await versionedWrite(deps, options, {
    read: () => loadPipeline(deps, actor.tenantId, { consistent: true }),
    version: (current) => current.version,
    build: async (current) => {
      const candidates = new Set([...current.definition.stages.map((stage) => stage.key), ...Object.keys(current.definition.retiredStages)]);
      for (const stage of input.stages) candidates.delete(stage.key);
      const inUse = new Set<string>();
      await Promise.all(
        [...candidates].map(async (stage) => {
          const { data } = await deps.db.entities.opportunity.query.byStage({ tenantId: actor.tenantId, stage }).go({ limit: 1 });
          if (data.length > 0) inUse.add(stage);
        }),
      );
      const { retiredStages } = validatePipelineChange(current.definition, input, inUse);
      const now = deps.clock.now().toISOString();
      const next: PipelineItem = {
        tenantId: actor.tenantId,
        // Each stage saved with its category: one left out takes the default of its key, and keeps it.
        stages: withForecastCategories(input.stages),
        retiredStages,
        updatedAt: now,
        updatedBy: actor.userId,
        version: current.version + 1,
      };
      const changes = diffFields(
        { stages: current.definition.stages, retiredStages: current.definition.retiredStages },
        { stages: next.stages, retiredStages },
      );
      const log = logChange(deps, actor, now, {
        entityType: 'pipeline',
        entityId: actor.tenantId,
        action: 'update',
        changes,
        events: [{ type: 'pipeline.updated', data: { changes } }],
      });
      return {
        result: { next, retiredStages, inUse },
        write: (tx) =>
          tx
            .record(
              'pipeline',
              current.item
                ? tx.entities.pipeline
                    .put(next)
                    .where((attr, op) => op.eq(attr.version, current.version))
                    .commit()
                : tx.entities.pipeline.create(next).commit(),
            )
            .log(log),
      };
    },
  });

  const remapped: Record<string, number> = {};
  for (const stage of saved.inUse) {
    const target = saved.retiredStages[stage];
    if (target !== undefined) remapped[stage] = await moveOpportunitiesOfStage(deps, actor, stage, target);
  }
  return {
    ...toPipelineView({ definition: { stages: saved.next.stages, retiredStages: saved.retiredStages }, version: saved.next.version, item: saved.next }),
    ...(Object.keys(remapped).length > 0 && { remapped }),
  };
}
