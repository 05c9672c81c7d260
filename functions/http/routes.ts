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
import { ROLES, type Role } from '../../domain/shared/actor';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The Lambda functions, one per bounded context; each serves the routes that name it. */
export const FUNCTIONS = ['system', 'customers', 'audit'] as const;
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
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof routes)[number];
export type RouteId = Route['id'];
export type RouteOf<F extends FunctionName> = Extract<Route, { fn: F }>;

/** API Gateway's route key, `METHOD /path`, which is what the event carries as `routeKey`. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

export const routesOf = (fn: FunctionName): readonly RouteDefinition[] =>
  (routes as readonly RouteDefinition[]).filter((route) => route.fn === fn);
