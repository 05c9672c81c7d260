/** Use cases: a tenant's pipeline — read it, and change it without orphaning a single opportunity. */
import type { EntityItem } from 'electrodb';
import { auditItem } from '../audit/service';
import type { SalesDb } from '../db';
import { PreconditionFailedError } from '../errors';
import { eventItem } from '../events/service';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { assertVersion } from '../shared/writes';
import { EXIT_CRITERIA } from './gates';
import { DEFAULT_PIPELINE, TERMINAL_STAGES, validatePipelineChange, type PipelineDefinition } from './rules';
import type { PipelineView, PutPipelineInput } from './schemas';

type PipelineItem = EntityItem<SalesDb['entities']['pipeline']>;

export interface LoadedPipeline {
  definition: PipelineDefinition;
  /** 0 while the tenant runs on the default pipeline (no item stored). */
  version: number;
  item: PipelineItem | null;
}

export async function loadPipeline(deps: Deps, tenantId: string, options: { consistent?: boolean } = {}): Promise<LoadedPipeline> {
  const { data } = await deps.db.entities.pipeline.get({ tenantId }).go(options);
  if (!data) return { definition: DEFAULT_PIPELINE, version: 0, item: null };
  return {
    definition: { stages: data.stages, retiredStages: (data.retiredStages ?? {}) as Record<string, string> },
    version: data.version,
    item: data,
  };
}

export async function getPipeline(deps: Deps, actor: Actor): Promise<PipelineView> {
  return toPipelineView(await loadPipeline(deps, actor.tenantId));
}

/**
 * Replaces the open stages (admins). A removed stage that still has opportunities must be mapped to a new
 * one; the pipeline is saved first (stage moves check its version, so nothing enters a removed stage after
 * that), then those opportunities move, each with a history entry. A removed stage stays as an alias of its
 * target, so even an interrupted move leaves no opportunity without a stage; repeating the PUT finishes it.
 */
export async function putPipeline(
  deps: Deps,
  actor: Actor,
  input: PutPipelineInput,
  options: { ifMatch?: number },
  moveOpportunities: (from: string, to: string) => Promise<number>,
): Promise<PipelineView> {
  const current = await loadPipeline(deps, actor.tenantId, { consistent: true });
  assertVersion(current.version, options.ifMatch);
  const candidates = new Set([
    ...current.definition.stages.map((stage) => stage.key),
    ...Object.keys(current.definition.retiredStages),
  ]);
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
    stages: input.stages,
    retiredStages,
    updatedAt: now,
    updatedBy: actor.userId,
    version: current.version + 1,
  };
  const changes = diffFields(
    { stages: current.definition.stages, retiredStages: current.definition.retiredStages },
    { stages: next.stages, retiredStages },
  );
  const outcome = await deps.db.transaction
    .write(({ pipeline, auditEntry, domainEvent }) => [
      current.item
        ? pipeline
            .put(next)
            .where((attr, op) => op.eq(attr.version, current.version))
            .commit()
        : pipeline.create(next).commit(),
      auditEntry.create(auditItem(deps, actor, now, { entityType: 'pipeline', entityId: actor.tenantId, action: 'update', changes })).commit(),
      domainEvent
        .create(eventItem(deps, actor, now, { type: 'pipeline.updated', entityType: 'pipeline', entityId: actor.tenantId, data: { changes } }))
        .commit(),
    ])
    .go();
  if (outcome.canceled) throw new PreconditionFailedError('The pipeline was changed by someone else; read it again');

  const remapped: Record<string, number> = {};
  for (const stage of inUse) {
    const target = retiredStages[stage];
    if (target !== undefined) remapped[stage] = await moveOpportunities(stage, target);
  }
  return {
    ...toPipelineView({ definition: { stages: next.stages, retiredStages }, version: next.version, item: next }),
    ...(Object.keys(remapped).length > 0 && { remapped }),
  };
}

function toPipelineView(loaded: LoadedPipeline): PipelineView {
  return {
    stages: loaded.definition.stages,
    terminalStages: TERMINAL_STAGES.map((stage) => ({ ...stage })),
    criteria: Object.entries(EXIT_CRITERIA).map(([key, criterion]) => ({ key, description: criterion.description })),
    version: loaded.version,
    ...(loaded.item && { updatedAt: loaded.item.updatedAt, updatedBy: loaded.item.updatedBy }),
  };
}
