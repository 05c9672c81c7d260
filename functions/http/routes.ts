/**
 * The route table: every endpoint, declared once. Read by the CDK stack (API routes → functions), the local
 * server, the OpenAPI document and the authorization matrix test. Metadata only — no handler code here; the
 * handler of a route is the operation of the same `id` in `functions/http/<fn>.ts`.
 */
import type { z } from 'zod';
import { AuditPage, ListAuditQuery } from '../../domain/audit/schemas';
import {
  Activity,
  Contact,
  ContactPage,
  ContactParams,
  CreateActivityBody,
  CreateContactBody,
  CreateOpportunityActivityBody,
  CreateCustomerBody,
  CreateCustomerQuery,
  Customer,
  CustomerIdParams,
  CustomerPage,
  ListContactsQuery,
  ListCustomersQuery,
  TimelinePage,
  TimelineQuery,
  UpdateContactBody,
  UpdateCustomerBody,
  UpdateCustomerQuery,
} from '../../domain/customers/schemas';
import { CreateProductBody, ListProductsQuery, Product, ProductIdParams, ProductPage, UpdateProductBody } from '../../domain/catalog/schemas';
import { EventFeed, ListEventsQuery } from '../../domain/events/schemas';
import {
  CreateOpportunityBody,
  ListOpportunitiesQuery,
  MoveStageBody,
  Opportunity,
  OpportunityIdParams,
  OpportunityPage,
  Pipeline,
  PutPipelineBody,
  StageHistory,
  UpdateOpportunityBody,
} from '../../domain/pipeline/schemas';
import { Settings, SettingsBody } from '../../domain/settings/schemas';
import { ROLES, type Role } from '../../domain/shared/actor';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The Lambda functions, one per bounded context; each serves the routes that name it. */
export const FUNCTIONS = ['system', 'customers', 'audit', 'settings', 'pipeline', 'events', 'catalog'] as const;
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
    body?: z.ZodType;
  };
  /** Whether the route reads `If-Match` (optimistic concurrency). */
  ifMatch?: boolean;
  /** POSTs that honour `Idempotency-Key`. */
  idempotent?: boolean;
  response: { status: 200 | 201 | 204; schema?: z.ZodType; contentType?: string; description: string };
  /** Error statuses this route can answer besides the ones every authenticated route can (400, 401, 403, 500). */
  errors?: readonly number[];
}

const ALL = ROLES;
const SELLERS = ['admin', 'manager', 'rep'] as const satisfies readonly Role[];
const AUDITORS = ['admin', 'manager'] as const satisfies readonly Role[];
const ADMINS = ['admin'] as const satisfies readonly Role[];
const CATALOG_EDITORS = ['admin', 'manager'] as const satisfies readonly Role[];
const HISTORY_WRITERS = ['admin', 'manager', 'rep', 'service'] as const satisfies readonly Role[];

export const routes = [
  {
    id: 'getHealth',
    method: 'GET',
    path: '/health',
    fn: 'system',
    access: 'public',
    tag: 'System',
    summary: 'Liveness check',
    response: { status: 200, description: 'The service is up' },
  },
  {
    id: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    fn: 'system',
    access: 'public',
    tag: 'System',
    summary: 'This OpenAPI 3.1 document',
    response: { status: 200, description: 'The OpenAPI document' },
  },
  {
    id: 'createCustomer',
    method: 'POST',
    path: '/customers',
    fn: 'customers',
    access: SELLERS,
    tag: 'Customers',
    summary: 'Create a customer or lead (reps own what they create; duplicates by domain/email are refused)',
    request: { body: CreateCustomerBody, query: CreateCustomerQuery },
    idempotent: true,
    response: { status: 201, schema: Customer, description: 'The created customer' },
    errors: [409, 413, 422],
  },
  {
    id: 'listCustomers',
    method: 'GET',
    path: '/customers',
    fn: 'customers',
    access: ALL,
    tag: 'Customers',
    summary: 'List customers, filtered by owner, lifecycle, segment, tag or name prefix',
    request: { query: ListCustomersQuery },
    response: { status: 200, schema: CustomerPage, description: 'One page of customers, by name' },
  },
  {
    id: 'getCustomer',
    method: 'GET',
    path: '/customers/{id}',
    fn: 'customers',
    access: ALL,
    tag: 'Customers',
    summary: 'Read a customer',
    request: { params: CustomerIdParams },
    response: { status: 200, schema: Customer, description: 'The customer' },
    errors: [404],
  },
  {
    id: 'updateCustomer',
    method: 'PATCH',
    path: '/customers/{id}',
    fn: 'customers',
    access: SELLERS,
    tag: 'Customers',
    summary: 'Change a customer (reps: own customers only; `null` clears a field)',
    request: { params: CustomerIdParams, query: UpdateCustomerQuery, body: UpdateCustomerBody },
    ifMatch: true,
    response: { status: 200, schema: Customer, description: 'The changed customer' },
    errors: [404, 409, 412, 413],
  },
  {
    id: 'archiveCustomer',
    method: 'DELETE',
    path: '/customers/{id}',
    fn: 'customers',
    access: SELLERS,
    tag: 'Customers',
    summary: 'Archive a customer (soft delete; it keeps its history and can be restored)',
    request: { params: CustomerIdParams },
    ifMatch: true,
    response: { status: 204, description: 'Archived' },
    errors: [404, 412],
  },
  {
    id: 'restoreCustomer',
    method: 'POST',
    path: '/customers/{id}/restore',
    fn: 'customers',
    access: SELLERS,
    tag: 'Customers',
    summary: 'Restore an archived customer',
    request: { params: CustomerIdParams },
    ifMatch: true,
    idempotent: true,
    response: { status: 200, schema: Customer, description: 'The restored customer' },
    errors: [404, 409, 412, 422],
  },
  {
    id: 'createContact',
    method: 'POST',
    path: '/customers/{id}/contacts',
    fn: 'customers',
    access: SELLERS,
    tag: 'Contacts',
    summary: "Add a contact person to a customer (duplicate emails are refused)",
    request: { params: CustomerIdParams, query: CreateCustomerQuery, body: CreateContactBody },
    idempotent: true,
    response: { status: 201, schema: Contact, description: 'The created contact' },
    errors: [404, 409, 413, 422],
  },
  {
    id: 'listContacts',
    method: 'GET',
    path: '/customers/{id}/contacts',
    fn: 'customers',
    access: ALL,
    tag: 'Contacts',
    summary: "List a customer's contacts",
    request: { params: CustomerIdParams, query: ListContactsQuery },
    response: { status: 200, schema: ContactPage, description: 'One page of contacts' },
    errors: [404],
  },
  {
    id: 'updateContact',
    method: 'PATCH',
    path: '/customers/{id}/contacts/{contactId}',
    fn: 'customers',
    access: SELLERS,
    tag: 'Contacts',
    summary: 'Change a contact',
    request: { params: ContactParams, query: UpdateCustomerQuery, body: UpdateContactBody },
    ifMatch: true,
    response: { status: 200, schema: Contact, description: 'The changed contact' },
    errors: [404, 409, 412, 413],
  },
  {
    id: 'deleteContact',
    method: 'DELETE',
    path: '/customers/{id}/contacts/{contactId}',
    fn: 'customers',
    access: SELLERS,
    tag: 'Contacts',
    summary: 'Remove a contact (its email becomes free again; logged activities keep their reference)',
    request: { params: ContactParams },
    ifMatch: true,
    response: { status: 204, description: 'Removed' },
    errors: [404, 412],
  },
  {
    id: 'logActivity',
    method: 'POST',
    path: '/customers/{id}/activities',
    fn: 'customers',
    access: HISTORY_WRITERS,
    tag: 'Communication history',
    summary: "Log a call, email, meeting or note; updates the customer's lastContactedAt",
    request: { params: CustomerIdParams, body: CreateActivityBody },
    idempotent: true,
    response: { status: 201, schema: Activity, description: 'The logged activity' },
    errors: [404, 413, 422],
  },
  {
    id: 'getTimeline',
    method: 'GET',
    path: '/customers/{id}/timeline',
    fn: 'customers',
    access: ALL,
    tag: 'Communication history',
    summary: "The customer's communication history, newest first",
    request: { params: CustomerIdParams, query: TimelineQuery },
    response: { status: 200, schema: TimelinePage, description: 'One page of activities' },
    errors: [404],
  },
  {
    id: 'listAudit',
    method: 'GET',
    path: '/audit',
    fn: 'audit',
    access: AUDITORS,
    tag: 'Audit',
    summary: 'The audit trail of one record: who changed what, when (oldest first)',
    request: { query: ListAuditQuery },
    response: { status: 200, schema: AuditPage, description: 'One page of audit entries' },
  },
  {
    id: 'getSettings',
    method: 'GET',
    path: '/settings',
    fn: 'settings',
    access: ALL,
    tag: 'Settings',
    summary: "The tenant's settings: base currency, lost reasons",
    response: { status: 200, schema: Settings, description: 'The settings (defaults until an admin saves them)' },
  },
  {
    id: 'putSettings',
    method: 'PUT',
    path: '/settings',
    fn: 'settings',
    access: ADMINS,
    tag: 'Settings',
    summary: "Replace the tenant's settings",
    request: { body: SettingsBody },
    ifMatch: true,
    response: { status: 200, schema: Settings, description: 'The saved settings' },
    errors: [412, 413],
  },
  {
    id: 'getPipeline',
    method: 'GET',
    path: '/pipeline',
    fn: 'pipeline',
    access: ALL,
    tag: 'Pipeline',
    summary: 'The open stages with their win probabilities and exit criteria, then won and lost',
    response: { status: 200, schema: Pipeline, description: 'The pipeline (the default one until an admin saves another)' },
  },
  {
    id: 'putPipeline',
    method: 'PUT',
    path: '/pipeline',
    fn: 'pipeline',
    access: ADMINS,
    tag: 'Pipeline',
    summary: 'Replace the open stages; opportunities of a removed stage move to the stage `stageMapping` names',
    request: { body: PutPipelineBody },
    ifMatch: true,
    response: { status: 200, schema: Pipeline, description: 'The saved pipeline, with how many opportunities moved' },
    errors: [412, 413, 422],
  },
  {
    id: 'createOpportunity',
    method: 'POST',
    path: '/opportunities',
    fn: 'pipeline',
    access: SELLERS,
    tag: 'Opportunities',
    summary: "Open an opportunity on a customer (in the first stage; a lead customer becomes a prospect)",
    request: { body: CreateOpportunityBody },
    idempotent: true,
    response: { status: 201, schema: Opportunity, description: 'The created opportunity' },
    errors: [404, 409, 413, 422],
  },
  {
    id: 'listOpportunities',
    method: 'GET',
    path: '/opportunities',
    fn: 'pipeline',
    access: ALL,
    tag: 'Opportunities',
    summary: 'List opportunities by expected close date, filtered by stage, owner, customer, status or close-date range',
    request: { query: ListOpportunitiesQuery },
    response: { status: 200, schema: OpportunityPage, description: 'One page of opportunities' },
  },
  {
    id: 'getOpportunity',
    method: 'GET',
    path: '/opportunities/{id}',
    fn: 'pipeline',
    access: ALL,
    tag: 'Opportunities',
    summary: 'Read an opportunity',
    request: { params: OpportunityIdParams },
    response: { status: 200, schema: Opportunity, description: 'The opportunity' },
    errors: [404],
  },
  {
    id: 'updateOpportunity',
    method: 'PATCH',
    path: '/opportunities/{id}',
    fn: 'pipeline',
    access: SELLERS,
    tag: 'Opportunities',
    summary: 'Change an open opportunity (reps: their own; managers reassign and override the probability)',
    request: { params: OpportunityIdParams, body: UpdateOpportunityBody },
    ifMatch: true,
    response: { status: 200, schema: Opportunity, description: 'The changed opportunity' },
    errors: [404, 409, 412, 413],
  },
  {
    id: 'moveOpportunityStage',
    method: 'POST',
    path: '/opportunities/{id}/stage',
    fn: 'pipeline',
    access: SELLERS,
    tag: 'Opportunities',
    summary: 'Move to another stage: forward through every gate, back with a note, lost with a reason, won from the last stage',
    request: { params: OpportunityIdParams, body: MoveStageBody },
    ifMatch: true,
    idempotent: true,
    response: { status: 200, schema: Opportunity, description: 'The opportunity in its new stage' },
    errors: [404, 409, 412, 413, 422],
  },
  {
    id: 'getOpportunityHistory',
    method: 'GET',
    path: '/opportunities/{id}/history',
    fn: 'pipeline',
    access: ALL,
    tag: 'Opportunities',
    summary: 'Stage history: every move, and entered/exited times and time spent per stage',
    request: { params: OpportunityIdParams },
    response: { status: 200, schema: StageHistory, description: 'The stage history' },
    errors: [404],
  },
  {
    id: 'getOpportunityTimeline',
    method: 'GET',
    path: '/opportunities/{id}/timeline',
    fn: 'pipeline',
    access: ALL,
    tag: 'Opportunities',
    summary: 'Follow-up history: the activities linked to this opportunity, newest first',
    request: { params: OpportunityIdParams, query: TimelineQuery },
    response: { status: 200, schema: TimelinePage, description: 'One page of activities' },
    errors: [404],
  },
  {
    id: 'logOpportunityActivity',
    method: 'POST',
    path: '/opportunities/{id}/activities',
    fn: 'pipeline',
    access: HISTORY_WRITERS,
    tag: 'Opportunities',
    summary: "Log a follow-up on the opportunity (it also shows on the customer's timeline)",
    request: { params: OpportunityIdParams, body: CreateOpportunityActivityBody },
    idempotent: true,
    response: { status: 201, schema: Activity, description: 'The logged activity' },
    errors: [404, 413, 422],
  },
  {
    id: 'listEvents',
    method: 'GET',
    path: '/events',
    fn: 'events',
    access: ALL,
    tag: 'Events',
    summary: "The tenant's change feed in order: follow it with `since` = the previous `nextCursor`",
    request: { query: ListEventsQuery },
    response: { status: 200, schema: EventFeed, description: 'Events after `since`, oldest first' },
  },
  {
    id: 'createProduct',
    method: 'POST',
    path: '/products',
    fn: 'catalog',
    access: CATALOG_EDITORS,
    tag: 'Products',
    summary: 'Add a product to the catalog (SKUs are unique per tenant)',
    request: { body: CreateProductBody },
    idempotent: true,
    response: { status: 201, schema: Product, description: 'The created product' },
    errors: [409, 413, 422],
  },
  {
    id: 'listProducts',
    method: 'GET',
    path: '/products',
    fn: 'catalog',
    access: ALL,
    tag: 'Products',
    summary: 'The catalog in SKU order, filtered by SKU prefix or active flag',
    request: { query: ListProductsQuery },
    response: { status: 200, schema: ProductPage, description: 'One page of products' },
  },
  {
    id: 'getProduct',
    method: 'GET',
    path: '/products/{id}',
    fn: 'catalog',
    access: ALL,
    tag: 'Products',
    summary: 'Read a product',
    request: { params: ProductIdParams },
    response: { status: 200, schema: Product, description: 'The product' },
    errors: [404],
  },
  {
    id: 'updateProduct',
    method: 'PATCH',
    path: '/products/{id}',
    fn: 'catalog',
    access: CATALOG_EDITORS,
    tag: 'Products',
    summary: 'Change a product (prices, tax category, active flag…)',
    request: { params: ProductIdParams, body: UpdateProductBody },
    ifMatch: true,
    response: { status: 200, schema: Product, description: 'The changed product' },
    errors: [404, 409, 412, 413, 422],
  },
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof routes)[number];
export type RouteId = Route['id'];
export type RouteOf<F extends FunctionName> = Extract<Route, { fn: F }>;

/** API Gateway's route key, `METHOD /path`, which is what the event carries as `routeKey`. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

export const routesOf = (fn: FunctionName): readonly RouteDefinition[] =>
  (routes as readonly RouteDefinition[]).filter((route) => route.fn === fn);
