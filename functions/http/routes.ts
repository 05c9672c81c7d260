/**
 * Every endpoint, as the contexts declare them (`functions/http/<context>/routes.ts`), in one table for the
 * readers that need all of them: the CDK stack (API routes → functions), the local server, the OpenAPI
 * document (infra/openapi) and the tests (authorization matrix, bad-input suite). No Lambda handler imports
 * this index: a function bundles only its own context's table and schemas.
 */
import { analyticsRoutes } from './analytics/routes';
import { approvalRoutes } from './approvals/routes';
import { assignmentRoutes } from './assignment/routes';
import { auditRoutes } from './audit/routes';
import { careRoutes } from './care/routes';
import { catalogRoutes } from './catalog/routes';
import { contractRoutes } from './contracts/routes';
import { customerRoutes } from './customers/routes';
import { eventRoutes } from './events/routes';
import { notificationRoutes } from './notifications/routes';
import { pipelineRoutes } from './pipeline/routes';
import { quoteRoutes } from './quotes/routes';
import { settingsRoutes } from './settings/routes';
import { systemRoutes } from './system/routes';
import { taskRoutes } from './tasks/routes';
import type { FunctionName, RouteDefinition } from '../shared/route';

export { FUNCTIONS, routeKey, type FunctionName, type HttpMethod, type RouteDefinition } from '../shared/route';

/** In the order of FUNCTIONS, which is the order of the OpenAPI document's paths and tags. */
export const routes = [
  ...systemRoutes,
  ...customerRoutes,
  ...auditRoutes,
  ...settingsRoutes,
  ...pipelineRoutes,
  ...eventRoutes,
  ...catalogRoutes,
  ...quoteRoutes,
  ...contractRoutes,
  ...approvalRoutes,
  ...notificationRoutes,
  ...taskRoutes,
  ...assignmentRoutes,
  ...analyticsRoutes,
  ...careRoutes,
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof routes)[number];
export type RouteId = Route['id'];
export type RouteOf<F extends FunctionName> = Extract<Route, { fn: F }>;

export const routesOf = (fn: FunctionName): readonly RouteDefinition[] =>
  (routes as readonly RouteDefinition[]).filter((route) => route.fn === fn);
