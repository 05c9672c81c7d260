/**
 * The authorization matrix, generated from the route table: every route × role × {own record, same tenant
 * other owner, other tenant, no token} is called over HTTP and must answer the expected status. A route
 * without an expectation here fails the test (and the compiler), so a new route is attacked automatically.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../domain/shared/actor';
import type { Deps } from '../../domain/shared/ports';
import { routes, type RouteDefinition, type RouteId } from '../../functions/http/routes';
import { createDeps } from '../../functions/shared/runtime';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';
import { fixtureIds, pathFor, routeFixture, type RouteFixture } from '../support/route-fixtures';
import { ROUTE_REQUESTS, type Scope } from '../support/route-requests';

const SCOPES: readonly Scope[] = ['own', 'otherOwner', 'otherTenant', 'noToken'];

type Fixture = RouteFixture;

/** What each route answers; `scope` says whose record the path points at. */
const sellerWrite =
  (success: number) =>
  (role: Role, scope: Scope): number => {
    if (scope === 'noToken') return 401;
    if (role === 'finance' || role === 'service') return 403;
    if (scope === 'otherTenant') return 404;
    if (role === 'rep' && scope === 'otherOwner') return 403;
    return success;
  };
/** Reports: no sales figures for service; a rep their own only; always of the caller's tenant. */
const reportRead = (role: Role, scope: Scope) => {
  if (scope === 'noToken') return 401;
  if (role === 'service') return 403;
  return role === 'rep' && scope === 'otherOwner' ? 403 : 200;
};
/** Weekly reviews: admins, managers and finance, of their own tenant. */
const reviewRead = (role: Role, scope: Scope) => {
  if (scope === 'noToken') return 401;
  if (role === 'rep' || role === 'service') return 403;
  return scope === 'otherTenant' ? 404 : 200;
};
/** After-sales staff (admins, managers, service), of their own tenant. */
const careStaffRead = (role: Role, scope: Scope) => (scope === 'noToken' ? 401 : role === 'admin' || role === 'manager' || role === 'service' ? 200 : 403);
const tenantRead = (_role: Role, scope: Scope) => (scope === 'noToken' ? 401 : scope === 'otherTenant' ? 404 : 200);
const publicRead = () => 200;
const catalogEdit = (success: number) => (role: Role, scope: Scope) =>
  scope === 'noToken' ? 401 : role === 'admin' || role === 'manager' ? success : 403;
const adminOnly = (role: Role, scope: Scope) => (scope === 'noToken' ? 401 : role === 'admin' ? 200 : 403);
/** Managers and admins, on any record of their tenant. */
const managerWrite = (role: Role, scope: Scope) => {
  if (scope === 'noToken') return 401;
  if (!(role === 'admin' || role === 'manager')) return 403;
  return scope === 'otherTenant' ? 404 : 200;
};
/** The assignee (own), or a manager or admin, works a task. */
const taskWork = (role: Role, scope: Scope) => {
  if (scope === 'noToken') return 401;
  if (scope === 'otherTenant') return 404;
  if (scope === 'otherOwner' && !(role === 'admin' || role === 'manager')) return 403;
  return 200;
};
const approverOnly = (role: Role, scope: Scope) => {
  if (scope === 'noToken') return 401;
  if (scope === 'otherTenant') return 404;
  return role === 'manager' && scope === 'otherOwner' ? 200 : 403;
};

const EXPECTED: Record<RouteId, (role: Role, scope: Scope) => number> = {
  getHealth: publicRead,
  getOpenApi: publicRead,
  createCustomer: (role, scope) => {
    if (scope === 'noToken') return 401;
    if (role === 'finance' || role === 'service') return 403;
    // otherOwner: creating a customer for someone else — reps may not.
    if (role === 'rep' && scope === 'otherOwner') return 403;
    return 201;
  },
  listCustomers: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  getCustomer: tenantRead,
  updateCustomer: sellerWrite(200),
  archiveCustomer: sellerWrite(204),
  restoreCustomer: sellerWrite(200),
  createContact: sellerWrite(201),
  listContacts: tenantRead,
  updateContact: sellerWrite(200),
  deleteContact: sellerWrite(204),
  logActivity: (role, scope) => {
    if (scope === 'noToken') return 401;
    if (role === 'finance') return 403;
    if (scope === 'otherTenant') return 404;
    if (role === 'rep' && scope === 'otherOwner') return 403;
    return 201;
  },
  getTimeline: tenantRead,
  listAudit: (role, scope) => (scope === 'noToken' ? 401 : role === 'admin' || role === 'manager' ? 200 : 403),
  getSettings: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  putSettings: adminOnly,
  getExchangeRates: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  putExchangeRates: (role, scope) => (scope === 'noToken' ? 401 : role === 'admin' || role === 'finance' ? 200 : 403),
  getPipeline: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  putPipeline: adminOnly,
  // otherOwner: an opportunity on another rep's customer — reps may not.
  createOpportunity: sellerWrite(201),
  listOpportunities: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  getOpportunity: tenantRead,
  updateOpportunity: sellerWrite(200),
  moveOpportunityStage: sellerWrite(200),
  getOpportunityHistory: tenantRead,
  getOpportunityCloseDateHistory: tenantRead,
  getOpportunityTimeline: tenantRead,
  logOpportunityActivity: (role, scope) => {
    if (scope === 'noToken') return 401;
    if (role === 'finance') return 403;
    if (scope === 'otherTenant') return 404;
    if (role === 'rep' && scope === 'otherOwner') return 403;
    return 201;
  },
  listEvents: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  createProduct: catalogEdit(201),
  listProducts: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  getProduct: tenantRead,
  updateProduct: (role, scope) => (scope === 'otherTenant' && (role === 'admin' || role === 'manager') ? 404 : catalogEdit(200)(role, scope)),
  createQuote: sellerWrite(201),
  listQuotes: tenantRead,
  getQuote: tenantRead,
  updateQuote: sellerWrite(200),
  sendQuote: sellerWrite(200),
  acceptQuote: sellerWrite(200),
  rejectQuote: sellerWrite(200),
  reviseQuote: sellerWrite(201),
  getQuoteDocument: tenantRead,
  createContractTemplate: (role, scope) => (scope === 'noToken' ? 401 : role === 'admin' ? 201 : 403),
  listContractTemplates: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  createContract: sellerWrite(201),
  listContracts: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  getContract: tenantRead,
  updateContract: sellerWrite(200),
  getContractDocument: tenantRead,
  signContract: sellerWrite(200),
  submitContract: sellerWrite(200),
  reviseContract: sellerWrite(200),
  listContractApprovals: tenantRead,
  getApprovalPolicy: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  putApprovalPolicy: adminOnly,
  listApprovals: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  // The default policy's first level is any manager — except the contract's owner (`own`): separation of duties.
  decideApproval: approverOnly,
  createApprovalLinks: approverOnly,
  // The signature is the authorization: whoever holds the link, with or without a token, of any tenant.
  getApprovalLink: publicRead,
  useApprovalLink: publicRead,
  revokeApprovalLinks: adminOnly,
  listMyNotifications: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  // Only one's own: another user's notification (or another tenant's) does not exist for the caller.
  markNotificationRead: (_role, scope) => (scope === 'noToken' ? 401 : scope === 'own' ? 200 : 404),
  // Everyone has tasks; only managers and admins give them to others. otherTenant: a link to a foreign record.
  createTask: (role, scope) => {
    if (scope === 'noToken') return 401;
    if (scope === 'otherTenant') return 422;
    if (scope === 'otherOwner' && !(role === 'admin' || role === 'manager')) return 403;
    return 201;
  },
  listTasks: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  getTask: tenantRead,
  updateTask: taskWork,
  completeTask: taskWork,
  listMyTasks: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  listReps: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  getRep: tenantRead,
  // The path names a user of the caller's own tenant: otherTenant only decides whose fixture exists.
  putRep: catalogEdit(200),
  getAssignmentRules: (_role, scope) => (scope === 'noToken' ? 401 : 200),
  putAssignmentRules: adminOnly,
  assignCustomer: managerWrite,
  assignOpportunity: managerWrite,
  // Sales roles and finance read teams, targets and forecasts; service sees no sales figures.
  listTeams: (role, scope) => (scope === 'noToken' ? 401 : role === 'service' ? 403 : 200),
  getTeam: (role, scope) => (scope === 'noToken' ? 401 : role === 'service' ? 403 : scope === 'otherTenant' ? 404 : 200),
  // own: a team the caller manages; otherOwner: someone else's (a manager may not change it); otherTenant: the id
  // names no team of the caller's tenant, so the PUT creates one (managed by the caller).
  putTeam: (role, scope) => {
    if (scope === 'noToken') return 401;
    if (role === 'admin') return 200;
    if (role === 'manager') return scope === 'otherOwner' ? 403 : 200;
    return 403;
  },
  getTargets: (role, scope) => (scope === 'noToken' ? 401 : role === 'service' ? 403 : 200),
  // otherTenant: the body's team target names another tenant's team, which does not exist for the caller.
  putTargets: (role, scope) => {
    if (scope === 'noToken') return 401;
    if (!(role === 'admin' || role === 'manager')) return 403;
    return scope === 'otherTenant' ? 422 : 200;
  },
  getForecastCalls: (role, scope) => (scope === 'noToken' ? 401 : role === 'service' ? 403 : 200),
  submitForecast: (role, scope) => (scope === 'noToken' ? 401 : role === 'finance' || role === 'service' ? 403 : 200),
  // own: the caller's own call, which nobody adjusts.
  getPipelineReport: reportRead,
  getFunnelReport: reportRead,
  getStageDurationsReport: reportRead,
  getForecastReport: reportRead,
  getLeaderboard: (role, scope) => (scope === 'noToken' ? 401 : role === 'service' ? 403 : 200),
  getKpiReport: reportRead,
  getTrendReport: reportRead,
  // A weekly review is a team's figures: admins, managers and finance, whoever manages the team (otherOwner); reps
  // and service not. otherTenant: another tenant's team has no reviews in the caller's tenant (an empty list).
  listReviews: (role, scope) => (scope === 'noToken' ? 401 : role === 'rep' || role === 'service' ? 403 : 200),
  getReview: reviewRead,
  getReviewDocument: reviewRead,
  getSlaPolicy: careStaffRead,
  putSlaPolicy: adminOnly,
  adjustForecast: (role, scope) => {
    if (scope === 'noToken') return 401;
    if (!(role === 'admin' || role === 'manager')) return 403;
    return scope === 'own' ? 403 : 200;
  },
};

let api: TestApi;
let deps: Deps;
const tenant = newTenant('matrix');
const foreignTenant = newTenant('foreign');
const tokens = new Map<Role, string>();
const userOf = (role: Role) => `${role}-user`;

beforeAll(async () => {
  api = await startTestApi();
  deps = createDeps({ tableName: process.env.TABLE_NAME as string, endpoint: process.env.DYNAMODB_ENDPOINT });
  for (const role of ROLES) tokens.set(role, await api.token(tenant, role, userOf(role)));
});
afterAll(() => api.close());

/**
 * Fresh records for one case, owned per scope, so no case depends on another's leftovers. A deal's quotes and
 * contracts change hands first: made under the other party, then the deal is reassigned — so `own` is a deal the
 * caller was given and `otherOwner` one taken from the caller (issue 15, finding 2).
 */
function fixture(role: Role, scope: Scope, route: RouteDefinition): Promise<Fixture> {
  return routeFixture(deps, route, {
    tenant: scope === 'otherTenant' ? foreignTenant : tenant,
    owner: scope === 'own' ? userOf(role) : 'someone-else',
    previousOwner: scope === 'own' ? 'someone-else' : userOf(role),
    approvals: api.approvals,
  });
}

describe('authorization matrix', () => {
  it('has an expectation for every route in the route table, and no others', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(routes.map((route) => route.id).sort());
    expect(Object.keys(ROUTE_REQUESTS).sort()).toEqual(routes.map((route) => route.id).sort());
  });

  const cases = (routes as readonly RouteDefinition[]).flatMap((route) => ROLES.map((role) => [route.id, role, route] as const));

  it.each(cases)('%s as %s', async (id, role, route) => {
    const expectations = EXPECTED[id as RouteId];
    for (const scope of SCOPES) {
      const f = await fixture(role, scope, route);
      const request = ROUTE_REQUESTS[id as RouteId](f, scope, userOf(role));
      const response = await call(api, route.method, `${pathFor(route, f)}${request.query ? `?${request.query}` : ''}`, {
        token: scope === 'noToken' ? undefined : tokens.get(role),
        body: request.body,
      });
      const expected = expectations(role, scope);
      expect({ scope, status: response.status }, JSON.stringify(response.body)).toEqual({ scope, status: expected });
      if (scope === 'otherTenant' && response.status < 300 && route.access !== 'public') {
        // Whatever a caller may read, nothing of the other tenant is in it.
        const body = JSON.stringify(response.body ?? '');
        for (const foreignId of fixtureIds(f)) expect(body).not.toContain(foreignId);
      }
      if (response.status >= 400 && scope !== 'noToken') {
        expect(response.headers.get('content-type')).toBe('application/problem+json');
      }
    }
  });
});
