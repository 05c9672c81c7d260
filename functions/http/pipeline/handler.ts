/** The sales pipeline: its configuration and the opportunities moving through it. */
import {
  createOpportunity,
  getCloseDateHistory,
  getOpportunity,
  getOpportunityTimeline,
  getPipeline,
  getStageHistory,
  listOpportunities,
  logOpportunityActivity,
  moveStage,
  putPipeline,
  updateOpportunity,
} from '../../../domain/pipeline';
import { created, ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { pipelineRoutes } from './routes';

export const handler = createHttpHandler(pipelineRoutes, {
  getPipeline: async ({ deps, actor }) => {
    const pipeline = await getPipeline(deps, actor);
    return ok(pipeline, pipeline.version);
  },
  putPipeline: async ({ deps, actor, body, ifMatch }) => {
    const pipeline = await putPipeline(deps, actor, body, { ifMatch });
    return ok(pipeline, pipeline.version);
  },
  createOpportunity: async ({ deps, actor, body }) => {
    const opportunity = await createOpportunity(deps, actor, body);
    return created(opportunity, `/opportunities/${opportunity.id}`);
  },
  listOpportunities: async ({ deps, actor, query }) => ok(await listOpportunities(deps, actor, query)),
  getOpportunity: async ({ deps, actor, params }) => {
    const opportunity = await getOpportunity(deps, actor, params.id);
    return ok(opportunity, opportunity.version);
  },
  updateOpportunity: async ({ deps, actor, params, body, ifMatch }) => {
    const opportunity = await updateOpportunity(deps, actor, params.id, body, { ifMatch });
    return ok(opportunity, opportunity.version);
  },
  moveOpportunityStage: async ({ deps, actor, params, body, ifMatch }) => {
    const opportunity = await moveStage(deps, actor, params.id, body, { ifMatch });
    return ok(opportunity, opportunity.version);
  },
  getOpportunityHistory: async ({ deps, actor, params }) => ok(await getStageHistory(deps, actor, params.id)),
  getOpportunityCloseDateHistory: async ({ deps, actor, params }) => ok(await getCloseDateHistory(deps, actor, params.id)),
  getOpportunityTimeline: async ({ deps, actor, params, query }) => ok(await getOpportunityTimeline(deps, actor, params.id, query)),
  logOpportunityActivity: async ({ deps, actor, params, body }) => {
    const activity = await logOpportunityActivity(deps, actor, params.id, body);
    return created(activity, `/opportunities/${params.id}/timeline`);
  },
});
