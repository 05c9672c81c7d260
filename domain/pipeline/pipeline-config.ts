/** A tenant's pipeline: the stored one, or the default until an admin saves one. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { EXIT_CRITERIA } from './gates';
import { DEFAULT_PIPELINE, TERMINAL_STAGES, withForecastCategories, type PipelineDefinition } from './rules';
import type { PipelineView } from './schemas';

export type PipelineItem = EntityItem<SalesDb['entities']['pipeline']>;

export interface LoadedPipeline {
  definition: PipelineDefinition;
  /** 0 while the tenant runs on the default pipeline (no item stored). */
  version: number;
  item: PipelineItem | null;
}

export async function loadPipeline(deps: Deps, tenantId: string, options: { consistent?: boolean } = {}): Promise<LoadedPipeline> {
  const { data } = await deps.db.entities.pipeline.get({ tenantId }).go(options);
  return pipelineFromItem(data);
}

/** The pipeline a stored item (or none: the default) defines — for readers that fetched the item themselves. */
export function pipelineFromItem(data: PipelineItem | null): LoadedPipeline {
  if (!data) return { definition: DEFAULT_PIPELINE, version: 0, item: null };
  return {
    // A pipeline saved before forecast categories existed reads with the defaults: nothing to migrate.
    definition: { stages: withForecastCategories(data.stages), retiredStages: data.retiredStages ?? {} },
    version: data.version,
    item: data,
  };
}

export async function getPipeline(deps: Deps, actor: Actor): Promise<PipelineView> {
  return toPipelineView(await loadPipeline(deps, actor.tenantId));
}

export function toPipelineView(loaded: LoadedPipeline): PipelineView {
  return {
    stages: withForecastCategories(loaded.definition.stages),
    terminalStages: TERMINAL_STAGES.map((stage) => ({ ...stage })),
    criteria: Object.entries(EXIT_CRITERIA).map(([key, criterion]) => ({ key, description: criterion.description })),
    version: loaded.version,
    ...(loaded.item && { updatedAt: loaded.item.updatedAt, updatedBy: loaded.item.updatedBy }),
  };
}
