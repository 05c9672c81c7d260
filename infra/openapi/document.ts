/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas: every route with its roles,
 * request, response and error responses. Nothing here is written by hand per route.
 *
 * Tooling, not function code: the document is generated once per build (CDK synth, `npm start`, the tests) and
 * served by the system function as a static file (./write.ts), so no Lambda builds it or the schemas it needs.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { Problem } from '../../domain/shared/schemas';
import { routes, type RouteDefinition } from '../../functions/http/routes';
import { FORM_MEDIA_TYPE } from '../../functions/shared/middleware/negotiate-html';
import { MAX_BODY_BYTES } from '../../functions/shared/middleware/parse-json-body';
import { HTML_DOCUMENT, bodyIsOptional } from '../../functions/shared/route';

/** What each tag of the route tables groups (a new tag without a line here is described by its name). */
const TAG_DESCRIPTIONS: Record<string, string> = {
  System: 'Liveness and this document (no token)',
  Customers: 'Customers and leads: classification, ownership, duplicates caught by domain and email',
  Contacts: "A customer's contact people and their buying roles",
  'Communication history': "Calls, emails, meetings and notes on a customer, and the customer's timeline",
  Audit: 'Who changed what, when: every change of a record (managers and admins)',
  Settings: "The tenant's base currency, lost reasons, tax rates, discount limit and reminder windows",
  Pipeline: "The tenant's funnel: open stages with win probabilities and exit criteria",
  Opportunities: 'Deals moving through the funnel: stage moves through gates, history, follow-ups, won/lost',
  Events: "The tenant's change feed (the outbox), in order",
  Products: 'The product catalog quotes are priced from',
  Quotes: 'Quotes priced on the server: versions, send, accept/reject, HTML documents',
  Contracts: 'Contract templates and contracts made from accepted quotes: submission for approval, signature',
  Approvals: 'The approval policy, the steps waiting for the caller, decisions by API or signed link, the trail',
  Notifications: "The caller's inbox: their notifications and their roles'",
  Tasks: 'Tasks and follow-ups with reminders and escalations',
  Assignment: 'Rep profiles, assignment rules, and reassigning customers and opportunities',
  Teams: 'Sales teams: a manager and members, each user in at most one team',
  'Targets and forecasts': 'Targets per period for reps, teams and the tenant; forecast calls submitted by reps and adjusted by managers beside them',
  Reports:
    'Sales reports from the KPI rollup (pre-aggregated, never the records): pipeline, funnel, stage durations, forecast, leaderboard, KPIs, trend; JSON, or CSV with `?format=csv` or `Accept: text/csv`',
  Reviews:
    "Each team's weekly review, made by the KPI rollup once the tenant's local Monday 07:00 has passed (the manager is notified): KPIs against last week and target, funnel, attainment, stuck deals, overdue tasks, forecast; as JSON or an HTML page ready to mail",
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: malformed JSON, wrong types, missing or unknown fields (see `errors`)',
  401:
    "No token, or an invalid or expired one: API Gateway's JWT authorizer answers `application/json` " +
    '`{"message":"Unauthorized"}` and the request never reaches the function. A token without the tenant or user ' +
    'claims is refused by the function itself, as problem+json.',
  403: "The caller's role or ownership does not allow this",
  404: 'No such record in the caller\'s tenant',
  409: 'Conflicts with the current state (a duplicate names the existing record), or others kept changing it: retry',
  410: 'Closed for good: a step that timed out, a link that was used or expired',
  412: '`If-Match` names an outdated version',
  413: `Body larger than ${MAX_BODY_BYTES} bytes`,
  415: 'Body is not application/json',
  422: 'Idempotency-Key reused with a different request, or a business rule refused the input',
  500: 'Unexpected fault (logged with the correlation id)',
  503: 'Temporarily unavailable (the store or the workflow engine refused): retry',
};

/**
 * What API Gateway's JWT authorizer answers, itself, to a request without a valid token: not problem+json (the
 * gateway has no say in its shape).
 */
const GatewayUnauthorized = z
  .strictObject({ message: z.literal('Unauthorized') })
  .meta({ id: 'GatewayUnauthorized', description: "API Gateway's answer to a missing, invalid or expired token (JWT authorizer)" });

/** The page a route marked `html` answers to a browser, errors included. */
const HTML_PAGE = { ...HTML_DOCUMENT, description: 'An HTML page (UTF-8) for a person in a browser: self-contained, no script' };

const BROWSER_PAGES =
  'A browser gets HTML pages, errors included (same status): when `Accept` prefers `text/html` to `application/json` ' +
  '(a browser navigating), or, at equal preference (no `Accept`, `*/*`), when the body came as an HTML form. Every ' +
  'other client gets JSON. Pages are self-contained and carry `Content-Security-Policy` without scripts, ' +
  '`X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and `Cache-Control: no-store`; every response says `Vary: Accept`.';

/** The bearer token every operation needs unless it says otherwise (`security: []`: public). */
const BEARER = [{ bearerAuth: [] }];

/**
 * `servers` is the host the document is served from (`/`) unless given: the system function sets it per request, to
 * where the caller reached the API.
 */
export function buildOpenApiDocument(options: { serverUrl?: string } = {}) {
  const table: readonly RouteDefinition[] = routes;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Cognito ID token (locally: `npm run token`). Claims: `sub`, `custom:tenantId`, `cognito:groups`.',
  });
  const htmlPage = table.some((route) => route.html) ? registry.registerComponent('schemas', 'HtmlPage', HTML_PAGE).ref : HTML_PAGE;
  for (const route of table) registerRoute(registry, route, htmlPage);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Salesflow API',
      version: '1.0.0',
      description:
        'Serverless sales management. Every record belongs to the tenant of the caller\'s token; records of other tenants answer 404. ' +
        'Writes honour `If-Match` (ETag = version) and POSTs an `Idempotency-Key`. Errors are RFC 9457 problem+json.',
    },
    servers: [options.serverUrl ? { url: options.serverUrl } : { url: '/', description: 'The host this document is served from' }],
    security: BEARER,
    tags: [...new Set(table.map((route) => route.tag))].map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name })),
  });
}

function registerRoute(registry: OpenAPIRegistry, route: RouteDefinition, htmlPage: object): void {
  const roles = route.access === 'public' ? [] : [...route.access];
  const isPublic = route.access === 'public';
  const statuses = new Set<number>([...(route.request ? [400] : []), ...(isPublic ? [] : [401, 403]), ...(route.errors ?? []), 500]);
  if (route.request?.body) statuses.add(415).add(413);
  // Every change goes through the one write path (domain/shared/versioned-write.ts): 409 once concurrent changes
  // won every attempt, 503 when the store cancels the transaction for another reason.
  if (route.method !== 'GET' && route.writes !== false && route.fn !== 'system') statuses.add(409).add(503);
  // A route that also serves a browser answers every response as a page too, when the request prefers HTML.
  const page = route.html ? { 'text/html': { schema: htmlPage } } : {};
  const problemResponse = (status: number) => ({
    description: status === 415 && route.formBody ? `Body is neither application/json nor ${FORM_MEDIA_TYPE}` : (ERROR_DESCRIPTIONS[status] ?? 'Error'),
    content: {
      ...(status === 401 && { 'application/json': { schema: GatewayUnauthorized } }),
      'application/problem+json': { schema: Problem },
      ...page,
    },
  });
  const success = route.response.schema
    ? {
        description: route.response.description,
        content: {
          [route.response.contentType ?? 'application/json']: { schema: route.response.schema },
          ...(route.csv && { 'text/csv': { schema: { type: 'string', description: 'CSV (RFC 4180, UTF-8) with a header row' } } }),
          ...page,
        },
      }
    : { description: route.response.description };
  const access = isPublic ? 'Public: no token needed.' : `Roles: ${roles.join(', ')}.`;

  registry.registerPath({
    operationId: route.id,
    method: route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete',
    path: route.path,
    tags: [route.tag],
    summary: route.summary,
    description: route.html ? `${access} ${BROWSER_PAGES}` : access,
    // Public operations say so: they must not inherit the document's bearer requirement.
    security: isPublic ? [] : BEARER,
    'x-roles': roles,
    request: {
      ...(route.request?.params && { params: route.request.params as z.ZodObject }),
      ...(route.request?.query && { query: route.request.query as z.ZodObject }),
      ...(route.request?.body && {
        // An action whose body has no required field may be sent without one (validated as `{}`).
        body: {
          required: !bodyIsOptional(route),
          content: {
            'application/json': { schema: route.request.body },
            ...(route.formBody && { [FORM_MEDIA_TYPE]: { schema: route.request.body } }),
          },
        },
      }),
      ...((route.ifMatch || route.idempotent) && {
        headers: z.object({
          ...(route.ifMatch && {
            'If-Match': z.string().optional().meta({ description: 'The ETag (version) last read; 412 if it is no longer current' }),
          }),
          ...(route.idempotent && {
            'Idempotency-Key': z.string().max(255).optional().meta({
              description: 'Retries with the same key and body return the first response; another body with it is a 422',
            }),
          }),
        }),
      }),
    },
    responses: {
      [route.response.status]: success,
      ...Object.fromEntries([...statuses].sort().map((status) => [status, problemResponse(status)])),
    },
  });
}
