/**
 * The shapes a bounded context's HTTP operations work with: a typed, validated request in, a result out.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { MiddyfiedHandler, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Actor } from '../../domain/shared/actor';
import type { Deps } from '../../domain/shared/ports';
import type { FunctionName, RouteDefinition, RouteOf } from '../http/routes';

type Part<R, K extends 'params' | 'query' | 'body'> = R extends { request: { [P in K]: infer S } }
  ? S extends z.ZodType
    ? z.output<S>
    : never
  : undefined;

export interface HttpRequest<R extends RouteDefinition = RouteDefinition> {
  route: R;
  params: Part<R, 'params'>;
  query: Part<R, 'query'>;
  body: Part<R, 'body'>;
  /** The authenticated caller (undefined only on public routes). */
  actor: R['access'] extends 'public' ? undefined : Actor;
  /** The version named by `If-Match`, when the route reads it and the client sent one. */
  ifMatch: number | undefined;
  deps: Deps;
  event: APIGatewayProxyEventV2;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json; a string body with another type is sent as is. */
  contentType?: string;
}

export type Operation<R extends RouteDefinition> = (request: HttpRequest<R>) => Promise<HttpResult>;

/** Every route of a function must have exactly one operation: the compiler checks it. */
export type OperationsOf<F extends FunctionName> = {
  [R in RouteOf<F> as R['id']]: Operation<R>;
};

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = Exclude<APIGatewayProxyResultV2, string>;
export type HttpHandler = MiddyfiedHandler<HttpEvent, HttpResponse, Error, Context>;

/** What the middlewares learn about a request and hand on to the next ones. */
export interface RequestState {
  route: RouteDefinition;
  correlationId: string;
  actor?: Actor;
  rawBody?: string;
  body?: unknown;
  params?: unknown;
  query?: unknown;
  ifMatch?: number;
  idempotency?: { tenantId: string; scope: string; key: string };
}

export type HttpMiddyRequest = Request<HttpEvent, HttpResponse, Error, Context>;

/** Per-request state, keyed by the event object that middy hands to every middleware and to the handler. */
const states = new WeakMap<HttpEvent, RequestState>();

export function beginState(event: HttpEvent, state: RequestState): RequestState {
  states.set(event, state);
  return state;
}

export function stateOf(request: { event: HttpEvent }): RequestState {
  const state = states.get(request.event);
  if (!state) throw new Error('Request state is missing: the route middleware must run first');
  return state;
}

export function findState(event: HttpEvent): RequestState | undefined {
  return states.get(event);
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
