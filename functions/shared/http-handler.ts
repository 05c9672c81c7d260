/**
 * The handler of a function that keeps data (every bounded context but `system`): the shared chain
 * (./http-chain.ts) with the function's ports, built once per cold start, and `Idempotency-Key` on the POSTs the
 * route table marks idempotent.
 */
import type { Deps } from '../../domain/shared/ports';
import type { HttpHandler, OperationsOf } from './http';
import { createHttpChain } from './http-chain';
import { idempotency } from './middleware/idempotency';
import type { RouteDefinition } from './route';
import { runtimeDeps } from './runtime';

/**
 * `export const handler = createHttpHandler(customerRoutes, { createCustomer: async ({ actor, body, deps }) => …, … })`:
 * the table is the function's own (its context's), so the function builds only its own schemas; the compiler
 * checks that every route has exactly one operation and types each from its route.
 */
export function createHttpHandler<const Routes extends readonly RouteDefinition[]>(
  routes: Routes,
  operations: NoInfer<OperationsOf<Routes>>,
  deps: () => Deps = runtimeDeps,
): HttpHandler {
  return createHttpChain(routes, operations, { deps, middlewares: [idempotency(deps)] });
}
