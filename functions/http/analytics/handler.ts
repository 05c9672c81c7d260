/** Targets and forecast calls per period. */
import { adjustForecast, getForecastCalls, getTargets, putTargets, submitForecast } from '../../../domain/analytics';
import { ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { analyticsRoutes } from './routes';

export const handler = createHttpHandler(analyticsRoutes, {
  getTargets: async ({ deps, actor, query }) => ok(await getTargets(deps, actor, query.period)),
  putTargets: async ({ deps, actor, params, body }) => ok(await putTargets(deps, actor, params.periodId, body)),
  getForecastCalls: async ({ deps, actor, params }) => ok(await getForecastCalls(deps, actor, params.periodId)),
  submitForecast: async ({ deps, actor, params, body, ifMatch }) => {
    const submission = await submitForecast(deps, actor, params.periodId, body, { ifMatch });
    return ok(submission, submission.version);
  },
  adjustForecast: async ({ deps, actor, params, body, ifMatch }) => {
    const adjustment = await adjustForecast(deps, actor, params.periodId, params.userId, body, { ifMatch });
    return ok(adjustment, adjustment.version);
  },
});
