/**
 * What a route is: the types every context's route table is written in, the role groups they allow, and
 * `defineRoutes`, which a context declares its table with (`functions/http/<context>/routes.ts`).
 * No zod schema is built here (zod is imported for its types only): a function bundles the schemas of its own
 * table and nothing else.
 */
import type { z } from 'zod';
import { AUDIT_READERS, ROLES, type Role } from '../../domain/shared/actor';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The Lambda functions, one per bounded context; each serves the routes of its table. */
export const FUNCTIONS = [
  'system',
  'customers',
  'audit',
  'settings',
  'pipeline',
  'events',
  'catalog',
  'quotes',
  'contracts',
  'approvals',
  'notifications',
  'tasks',
  'assignment',
  'analytics',
  'care',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export interface RouteDefinition {
  /** Operation id: unique, names the handler operation and the OpenAPI operation. */
  id: string;
  method: HttpMethod;
  /** API Gateway path syntax: `/customers/{id}`. */
  path: string;
  fn: FunctionName;
  /** `public` routes skip the JWT authorizer; otherwise the roles (cognito:groups) allowed to call it. */
  access: 'public' | readonly Role[];
  summary: string;
  tag: string;
  request?: {
    params?: z.ZodType;
    query?: z.ZodType;
    /**
     * A body schema that accepts `{}` (no required field) makes the body optional: a request without one is
     * validated as `{}`, and the OpenAPI document says `required: false`.
     */
    body?: z.ZodType;
  };
  /**
   * The route also serves a person in a browser (an approval link opened from a mail client): a request that
   * prefers `text/html` — a browser's `Accept`, or a form post that does not ask for JSON — gets HTML pages (the
   * operation renders its own, `request.html` tells it; the chain renders errors as a page with the same status),
   * locked down by the page headers (middleware/negotiate-html.ts); any other client gets JSON as usual. The
   * OpenAPI document lists `text/html` beside JSON for every response of the route.
   */
  html?: true;
  /**
   * The success response is also served as CSV (`text/csv`, a header row): for `?format=csv`, or when `Accept`
   * prefers `text/csv` to JSON. The operation renders it; the OpenAPI document lists `text/csv` beside JSON.
   */
  csv?: true;
  /**
   * The body may also come as an HTML form, `application/x-www-form-urlencoded`: read into an object of strings
   * (an empty field counts as not given, as a form sends every field; a repeated one is a list) and validated by
   * the same schema. Documented as a second media type of the request body.
   */
  formBody?: true;
  /** Whether the route reads `If-Match` (optimistic concurrency). */
  ifMatch?: boolean;
  /** POSTs that honour `Idempotency-Key`. */
  idempotent?: boolean;
  /**
   * `false` for a POST that changes no record (it signs links, marks the caller's own inbox). Every other POST, PUT,
   * PATCH or DELETE goes through the one write path, so it may answer 409 (changed by others too often) and 503.
   */
  writes?: false;
  /**
   * The success response. `schema` is a zod schema, or, for a function that bundles no zod (system), a plain
   * JSON Schema (2020-12, as OpenAPI 3.1 uses); `contentType` defaults to application/json. Without a schema the
   * response has no body (204).
   */
  response: { status: 200 | 201 | 204; schema?: z.ZodType | JsonSchema; contentType?: string; description: string };
  /** Error statuses this route can answer besides the ones every authenticated route can (400, 401, 403, 500). */
  errors?: readonly number[];
}

/**
 * A JSON Schema written as a plain object, for a route whose function must not bundle zod (the system function):
 * only the OpenAPI document reads it.
 */
export interface JsonSchema {
  readonly type?: 'object' | 'string' | 'array' | 'number' | 'integer' | 'boolean' | 'null';
  readonly description?: string;
  readonly [keyword: string]: unknown;
}

/** The body of an HTML document (a rendered quote or contract): `contentType: 'text/html'`. */
export const HTML_DOCUMENT = { type: 'string', description: 'An HTML document (UTF-8)' } as const satisfies JsonSchema;

/** A route as its context writes it: the context's function is stamped on by `defineRoutes`. */
export type RouteSpec = Omit<RouteDefinition, 'fn'>;

/** The routes of a table, each with its function. Literal types are kept, so operations are typed from them. */
export type RoutesOf<F extends FunctionName, R extends readonly RouteSpec[]> = { readonly [K in keyof R]: R[K] & { readonly fn: F } };

/**
 * Declares the route table of one function (bounded context), once:
 * `export const customerRoutes = defineRoutes('customers', [{ id: 'createCustomer', … }])`.
 * The `const` type parameters keep every literal (ids, methods, roles, schemas), so `createHttpHandler` can
 * check that each route has exactly one operation and type each operation from its route.
 */
export function defineRoutes<const F extends FunctionName, const R extends readonly RouteSpec[]>(fn: F, routes: R): RoutesOf<F, R> {
  // `map` forgets the tuple's positions (each element's own literal type): the cast restores what it kept.
  return routes.map((route) => ({ ...route, fn })) as unknown as RoutesOf<F, R>;
}

/** API Gateway's route key, `METHOD /path`, which is what the event carries as `routeKey`. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

// ---- who may call a route ----------------------------------------------------------------------------

export const ALL = ROLES;
export const SELLERS = ['admin', 'manager', 'rep'] as const satisfies readonly Role[];
export const AUDITORS = AUDIT_READERS;
export const ADMINS = ['admin'] as const satisfies readonly Role[];
export const CATALOG_EDITORS = ['admin', 'manager'] as const satisfies readonly Role[];
export const HISTORY_WRITERS = ['admin', 'manager', 'rep', 'service'] as const satisfies readonly Role[];

/**
 * Whether a route's body may be left out: its body schema has no required field (it accepts `{}`). Such a request
 * without a body (and without `Content-Type`) is validated as `{}`, so an action such as `POST /tasks/{id}/complete`
 * needs no empty JSON object; the OpenAPI document marks its request body `required: false`. Asked once per route,
 * when a handler or the document is built.
 */
export function bodyIsOptional(route: RouteDefinition): boolean {
  const body = route.request?.body;
  return body !== undefined && body.safeParse({}).success;
}
