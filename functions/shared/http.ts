/**
 * The shapes a bounded context's HTTP operations work with: a typed, validated request in, a result out; and
 * the types of the middy chain that gets them there (functions/shared/http-handler.ts).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { MiddlewareObj, MiddyfiedHandler, Request } from '@middy/core';
import type { z } from 'zod';
import type { Actor } from '../../domain/shared/actor';
import type { Deps } from '../../domain/shared/ports';
import type { RouteDefinition } from './route';

type Part<R, K extends 'params' | 'query' | 'body'> = R extends { request: { [P in K]: infer S } }
  ? S extends z.ZodType
    ? z.output<S>
    : never
  : undefined;

export interface HttpRequest<R extends RouteDefinition = RouteDefinition, D = Deps> {
  route: R;
  params: Part<R, 'params'>;
  query: Part<R, 'query'>;
  body: Part<R, 'body'>;
  /** The authenticated caller (undefined only on public routes). */
  actor: R['access'] extends 'public' ? undefined : Actor;
  /** The version named by `If-Match`, when the route reads it and the client sent one. */
  ifMatch: number | undefined;
  /** The function's ports (db, clock, ids); a function that keeps no data has none. */
  deps: D;
  /** Whether to answer with an HTML page: only on routes marked `html`, when the request prefers it (a browser). */
  html: boolean;
  event: APIGatewayProxyEventV2;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json; a string body with another type is sent as is. */
  contentType?: string;
}

export type Operation<R extends RouteDefinition, D = Deps> = (request: HttpRequest<R, D>) => Promise<HttpResult>;

/** A request as the chain has validated it, seen from the chain: what an operation gets, before its route types it. */
export interface ValidatedRequest {
  route: RouteDefinition;
  params: unknown;
  query: unknown;
  body: unknown;
  actor: Actor | undefined;
  ifMatch: number | undefined;
  deps: unknown;
  html: boolean;
  event: APIGatewayProxyEventV2;
}

/** One operation per route of a table, named by the route's id and typed from it: the compiler checks both. */
export type OperationsOf<Routes extends readonly RouteDefinition[], D = Deps> = {
  [R in Routes[number] as R['id']]: Operation<R, D>;
};

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = Exclude<APIGatewayProxyResultV2, string>;

/** What the middlewares learn about a request and hand on to the next ones and to the handler. */
export interface RequestState {
  route: RouteDefinition;
  correlationId: string;
  actor?: Actor;
  /** The request gets HTML pages, success and errors (a browser on a route marked `html`). */
  html?: boolean;
  rawBody?: string;
  body?: unknown;
  params?: unknown;
  query?: unknown;
  ifMatch?: number;
  idempotency?: { tenantId: string; scope: string; key: string };
}

/**
 * middy's per-request `internal`: a fresh object for every invocation, shared by the chain's middlewares.
 * `http` is set by the route middleware, the first of ours; before it (and when it refused the request) it is
 * absent.
 */
export type HttpInternal = { http?: RequestState };

/**
 * The Lambda context, as the chain hands it to the handler: the request's state rides on it, as middy's own
 * middlewares hand their values to a handler (`setToContext`), because a middy handler sees only (event, context).
 * The chain sets it right before the handler runs, for this invocation; callers never pass it.
 */
export interface HttpContext extends Context {
  http?: RequestState;
}

export type HttpMiddyRequest = Request<HttpEvent, HttpResponse, Error, HttpContext, HttpInternal>;
export type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResponse, Error, HttpContext, HttpInternal>;
export type HttpHandler = MiddyfiedHandler<HttpEvent, HttpResponse, Error, HttpContext, HttpInternal>;

/** The request's state; a middleware after the route middleware can count on it. */
export function stateOf(request: { internal: HttpInternal }): RequestState {
  const state = request.internal.http;
  if (!state) throw new Error('Request state is missing: the route middleware must run first');
  return state;
}

// ---- results --------------------------------------------------------------------------------------

const etag = (version: number) => `"${version}"`;

export function ok(body: unknown, version?: number): HttpResult {
  return { status: 200, body, headers: version === undefined ? {} : { etag: etag(version) } };
}

export function created(body: object, location: string): HttpResult {
  const version = (body as { version?: unknown }).version;
  return {
    status: 201,
    body,
    headers: { location, ...(typeof version === 'number' && { etag: etag(version) }) },
  };
}

export function noContent(): HttpResult {
  return { status: 204 };
}

export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/**
 * What a rendered document (a quote, a contract: HTML from a tenant's template and its people's text) is served
 * with, wherever it is served: a sandbox (no script, no form, no plugin, no popup; an origin of its own, so
 * nothing in it reaches this API's), nothing loaded from elsewhere but images (a logo by URL keeps working), inline
 * styles only; never sniffed as another type; no referrer to the hosts of those images. The one place these are
 * written: the document routes answer with `htmlDocument`, and their route table entries describe the headers
 * from here (DOCUMENT_HEADERS_NOTE).
 */
export const DOCUMENT_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "sandbox; default-src 'none'; img-src data: https:; style-src 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** DOCUMENT_HEADERS in words, for the OpenAPI description of a document route. */
export const DOCUMENT_HEADERS_NOTE =
  'Served sandboxed, with ' +
  Object.entries(DOCUMENT_HEADERS)
    .map(([name, value]) => `\`${name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase())}: ${value}\``)
    .join(', ');

/** A rendered document, 200, locked down by DOCUMENT_HEADERS. */
export function htmlDocument(document: string): HttpResult {
  return { status: 200, body: document, contentType: HTML_CONTENT_TYPE, headers: { ...DOCUMENT_HEADERS } };
}

/** A whole HTML page (a route marked `html`; the chain adds the headers that lock it down). */
export function htmlPage(status: number, page: string): HttpResult {
  return { status, body: page, contentType: HTML_CONTENT_TYPE };
}
