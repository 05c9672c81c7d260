import { type RouteDefinition, routeKey } from '../route';
import { HttpProblemError } from '../problem';
import { logger } from '../logger';
import type { HttpMiddleware } from '../http';

const CORRELATION_ID = /^[\w.:-]{1,128}$/;

/**
 * Finds the route of the event (API Gateway's `routeKey`) and the request's correlation id: the caller's
 * `x-correlation-id` when it is sane, else API Gateway's request id. Every log line carries both. Starts the
 * request's state (`request.internal.http`), which the later middlewares fill in.
 */
export function resolveRoute(routes: readonly RouteDefinition[]): HttpMiddleware {
  const byKey = new Map(routes.map((route) => [routeKey(route), route]));
  return {
    name: 'resolveRoute',
    before: (request) => {
      const { event } = request;
      const supplied = event.headers?.['x-correlation-id'];
      const correlationId = supplied && CORRELATION_ID.test(supplied) ? supplied : event.requestContext.requestId;
      logger.setCorrelationId(correlationId);
      const route = byKey.get(event.routeKey);
      if (!route) throw new HttpProblemError(404, 'Not Found', `No route ${event.routeKey} in this function`);
      request.internal.http = { route, correlationId };
      logger.appendKeys({ route: route.id });
    },
  };
}
