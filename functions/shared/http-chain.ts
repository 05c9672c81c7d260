/**
 * The handler chain every HTTP function shares (DESIGN "Handlers"):
 * Powertools logger → ColdStart metric (Powertools Metrics, once per execution environment) → header normalizer →
 * route + correlation id → HTML or JSON (routes marked `html`) → auth → JSON (or form) body → zod validation →
 * [the function's own middlewares: idempotency] → operation → problem+json error mapper (attached last).
 *
 * This module brings in no data layer (no DynamoDB client, no ElectroDB): a function that keeps no data (the
 * system function) is built on it directly; every other function through `createHttpHandler` (./http-handler.ts),
 * which adds its ports and idempotency. Nor the Powertools Tracer (aws-xray-sdk-core, ~45–85 ms of every cold
 * start: ./tracer.ts says where it is used instead); Lambda's active tracing still records each sampled request.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { RouteDefinition } from './route';
import {
  stateOf,
  type HttpContext,
  type HttpEvent,
  type HttpHandler,
  type HttpInternal,
  type HttpMiddleware,
  type HttpMiddyRequest,
  type HttpResponse,
  type HttpResult,
  type OperationsOf,
  type ValidatedRequest,
} from './http';
import { logger } from './logger';
import { countColdStart } from './metrics';
import { authorize } from './middleware/authorize';
import { negotiateHtml } from './middleware/negotiate-html';
import { parseJsonBody } from './middleware/parse-json-body';
import { problemResponses } from './middleware/problem-responses';
import { resolveRoute } from './middleware/resolve-route';
import { validateRequest } from './middleware/validate-request';

export interface HttpChainOptions<D> {
  /** The ports each operation gets as `deps`, asked for per request (built once per cold start by the provider). */
  deps: () => D;
  /** Run after validation, before the operation (in this order), with their `after`/`onError` on the way back. */
  middlewares?: readonly HttpMiddleware[];
}

/**
 * The Lambda handler of one function's route table. The compiler checks that every route of the table has
 * exactly one operation and types each operation's `params`, `query`, `body`, `actor` (and `deps`) from its route.
 */
export function createHttpChain<const Routes extends readonly RouteDefinition[], D>(
  routes: Routes,
  operations: NoInfer<OperationsOf<Routes, D>>,
  options: HttpChainOptions<D>,
): HttpHandler {
  const table = operationTable(routes, operations);
  const chain = middy<HttpEvent, HttpResponse, Error, HttpContext, HttpInternal>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({ before: (request) => countColdStart(request.context) })
    .use(httpHeaderNormalizer())
    .use(resolveRoute(routes))
    .use(negotiateHtml())
    .use(authorize())
    .use(parseJsonBody())
    .use(validateRequest(routes));
  for (const middleware of options.middlewares ?? []) chain.use(middleware);

  return chain
    .use(problemResponses())
    .before(handOver)
    .handler(async (event, context) => {
      const state = context.http;
      if (!state) throw new Error('Request state is missing: the chain hands it over before the handler');
      const operation = table.get(state.route.id);
      if (!operation) throw new Error(`No operation for route ${state.route.id}`);
      const result = await operation({
        route: state.route,
        params: state.params,
        query: state.query,
        body: state.body,
        actor: state.actor,
        ifMatch: state.ifMatch,
        deps: options.deps(),
        html: state.html === true,
        event,
      });
      return render(result, state.correlationId);
    });
}

/** The last step before the handler: this invocation's state goes on its context, where the handler reads it. */
function handOver(request: HttpMiddyRequest): void {
  request.context.http = stateOf(request);
}

type ChainOperation = (request: ValidatedRequest) => Promise<HttpResult>;

/**
 * The operations by route id, checked to cover the table at cold start too (the compiler already does for a
 * table it can see). Each operation is typed for its own route and the chain calls it with a request it has
 * validated against that route's schemas: the one cast here states that, which the compiler cannot follow
 * through a lookup by id.
 */
function operationTable<Routes extends readonly RouteDefinition[], D>(
  routes: Routes,
  operations: OperationsOf<Routes, D>,
): Map<string, ChainOperation> {
  const byId = operations as unknown as Partial<Record<string, ChainOperation>>;
  const table = new Map<string, ChainOperation>();
  for (const route of routes) {
    const operation = byId[route.id];
    if (typeof operation !== 'function') throw new Error(`Function ${route.fn} has no operation for route ${route.id}`);
    table.set(route.id, operation);
  }
  return table;
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
