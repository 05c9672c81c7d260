/**
 * The handler chain every HTTP function shares (DESIGN "Handlers"):
 * Powertools logger → header normalizer → route + correlation id → auth → JSON body → zod validation →
 * idempotency → operation → problem+json error mapper (attached last).
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Deps } from '../../domain/shared/ports';
import { routesOf, type FunctionName } from '../http/routes';
import { stateOf, type HttpEvent, type HttpHandler, type HttpRequest, type HttpResponse, type HttpResult, type OperationsOf } from './http';
import { authorize } from './middleware/authorize';
import { idempotency } from './middleware/idempotency';
import { parseJsonBody } from './middleware/parse-json-body';
import { problemResponses } from './middleware/problem-responses';
import { resolveRoute } from './middleware/resolve-route';
import { validateRequest } from './middleware/validate-request';
import { logger, runtimeDeps } from './runtime';

type AnyOperation = (request: never) => Promise<HttpResult>;
/** Indexed by function name so the compiler types each operation from its route (a plain generic defers). */
type OperationsByFunction = { [F in FunctionName]: OperationsOf<F> };

export function createHttpHandler<F extends FunctionName>(
  fn: F,
  operations: OperationsByFunction[F],
  deps: () => Deps = runtimeDeps,
): HttpHandler {
  const routes = routesOf(fn);
  const table = operations as unknown as Record<string, AnyOperation>;
  for (const route of routes) {
    if (typeof table[route.id] !== 'function') throw new Error(`Function ${fn} has no operation for route ${route.id}`);
  }

  return middy<HttpEvent, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(resolveRoute(routes))
    .use(authorize())
    .use(parseJsonBody())
    .use(validateRequest())
    .use(idempotency(deps))
    .use(problemResponses())
    .handler(async (event) => {
      const state = stateOf({ event });
      const operation = table[state.route.id] as (request: HttpRequest) => Promise<HttpResult>;
      const result = await operation({
        route: state.route,
        params: state.params,
        query: state.query,
        body: state.body,
        actor: state.actor,
        ifMatch: state.ifMatch,
        deps: deps(),
        event,
      } as HttpRequest);
      return render(result, state.correlationId);
    }) as unknown as HttpHandler;
}

export function render(result: HttpResult, correlationId: string): HttpResponse {
  const headers: Record<string, string> = { 'x-correlation-id': correlationId, ...result.headers };
  if (result.body === undefined) return { statusCode: result.status, headers };
  if (typeof result.body === 'string' && result.contentType !== undefined) {
    return { statusCode: result.status, headers: { 'content-type': result.contentType, ...headers }, body: result.body };
  }
  return {
    statusCode: result.status,
    headers: { 'content-type': result.contentType ?? 'application/json', ...headers },
    body: JSON.stringify(result.body),
  };
}

