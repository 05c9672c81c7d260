/**
 * The analytics function's route table: targets and forecast calls per period (the reports of issue 16 join them
 * here). Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import {
  AdjustmentParams,
  ForecastAdjustment,
  ForecastCallBody,
  ForecastCalls,
  ForecastSubmission,
  PeriodParams,
  PeriodQuery,
  PutTargetsBody,
  Targets,
} from '../../../domain/analytics/schemas';
import { FORECASTERS, SALES_PLAN_READERS, SALES_PLANNERS } from '../../../domain/shared/actor';
import { defineRoutes } from '../../shared/route';

export const analyticsRoutes = defineRoutes('analytics', [
  {
    id: 'getTargets',
    method: 'GET',
    path: '/targets',
    access: SALES_PLAN_READERS,
    tag: 'Targets and forecasts',
    summary: "A period's targets: managers, admins and finance all of them; a rep their own, their team's and the tenant's",
    request: { query: PeriodQuery },
    response: { status: 200, schema: Targets, description: "The period's targets the caller may see" },
  },
  {
    id: 'putTargets',
    method: 'PUT',
    path: '/targets/{periodId}',
    access: SALES_PLANNERS,
    tag: 'Targets and forecasts',
    summary:
      'Set targets of a period (managers, admins): the listed ones are set, `"value": null` removes one, the others stay. Money in the base currency; a team target names an existing team (422)',
    request: { params: PeriodParams, body: PutTargetsBody },
    response: { status: 200, schema: Targets, description: "All of the period's targets after the change" },
    errors: [413, 422],
  },
  {
    id: 'getForecastCalls',
    method: 'GET',
    path: '/forecasts/{periodId}',
    access: SALES_PLAN_READERS,
    tag: 'Targets and forecasts',
    summary: "A period's forecast calls, each user's submission with a manager's adjustment beside it (a rep sees their own)",
    request: { params: PeriodParams },
    response: { status: 200, schema: ForecastCalls, description: 'The calls the caller may see' },
  },
  {
    id: 'submitForecast',
    method: 'PUT',
    path: '/forecasts/{periodId}/me',
    access: FORECASTERS,
    tag: 'Targets and forecasts',
    summary: "Submit (or replace) one's own forecast call for a period: commit and best case (at least commit) in the base currency",
    request: { params: PeriodParams, body: ForecastCallBody },
    ifMatch: true,
    response: { status: 200, schema: ForecastSubmission, description: 'The submission' },
    errors: [412, 413],
  },
  {
    id: 'adjustForecast',
    method: 'PUT',
    path: '/forecasts/{periodId}/adjustments/{userId}',
    access: SALES_PLANNERS,
    tag: 'Targets and forecasts',
    summary: "Adjust a user's forecast call (managers, admins; never one's own): kept beside the user's submission, which stays as it is",
    request: { params: AdjustmentParams, body: ForecastCallBody },
    ifMatch: true,
    response: { status: 200, schema: ForecastAdjustment, description: 'The adjustment' },
    errors: [412, 413],
  },
]);
