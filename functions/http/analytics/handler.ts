/** Targets and forecast calls per period, the reports (JSON, or CSV on request) and the weekly reviews. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  adjustForecast,
  forecastReport,
  funnelReport,
  getForecastCalls,
  getReview,
  getReviewDocument,
  getTargets,
  kpiReport,
  leaderboardReport,
  listReviews,
  pipelineReport,
  putTargets,
  reportCsv,
  stageDurationsReport,
  submitForecast,
  trendReport,
} from '../../../domain/analytics';
import { htmlDocument, ok, type HttpResult } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { prefersCsv } from '../../shared/middleware/negotiate-html';
import { analyticsRoutes } from './routes';

type ReportKind = Parameters<typeof reportCsv>[0];

/** The report as JSON, or as CSV for `?format=csv` or an `Accept` that prefers text/csv. */
function report(kind: ReportKind, body: object, query: { format?: 'json' | 'csv' }, event: APIGatewayProxyEventV2): HttpResult {
  const csv = query.format === 'csv' || (query.format === undefined && prefersCsv(event.headers ?? {}));
  if (!csv) return { ...ok(body), headers: { vary: 'Accept' } };
  return {
    status: 200,
    body: reportCsv(kind, body as Record<string, unknown>),
    contentType: 'text/csv; charset=utf-8; header=present',
    headers: { vary: 'Accept', 'content-disposition': `attachment; filename="${kind}.csv"` },
  };
}

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
  getPipelineReport: async ({ deps, actor, query, event }) => report('pipeline', await pipelineReport(deps, actor, query), query, event),
  getFunnelReport: async ({ deps, actor, query, event }) => report('funnel', await funnelReport(deps, actor, query), query, event),
  getStageDurationsReport: async ({ deps, actor, query, event }) => report('stage-durations', await stageDurationsReport(deps, actor, query), query, event),
  getForecastReport: async ({ deps, actor, query, event }) => report('forecast', await forecastReport(deps, actor, query), query, event),
  getLeaderboard: async ({ deps, actor, query, event }) => report('leaderboard', await leaderboardReport(deps, actor, query), query, event),
  getKpiReport: async ({ deps, actor, query, event }) => report('kpis', await kpiReport(deps, actor, query), query, event),
  getTrendReport: async ({ deps, actor, query, event }) => report('trend', await trendReport(deps, actor, query), query, event),
  listReviews: async ({ deps, actor, query }) => ok(await listReviews(deps, actor, query)),
  getReview: async ({ deps, actor, params }) => ok(await getReview(deps, actor, params.id)),
  getReviewDocument: async ({ deps, actor, params }) => htmlDocument(await getReviewDocument(deps, actor, params.id)),
});
