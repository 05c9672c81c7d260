/**
 * Fresh records for a call to one route: whatever its path points at (customer, contact, opportunity, product,
 * quote, contract, approval request, approval link, weekly review), owned by `owner`, made through the real use cases — the
 * approval requests by the real workflow. Only what the route needs is made.
 *
 * With `previousOwner`, a deal's quotes and contract are made while `previousOwner` owns the deal, which is then
 * reassigned to `owner` (issue 15, finding 2): authority over them follows the deal's current owner, so the
 * matrix's "own" caller got the deal by reassignment and its "other owner" caller is the one it was taken from.
 */
import { randomUUID } from 'node:crypto';
import type { ApprovalEngine } from '../../domain/contracts';
import { createApprovalLinks } from '../../domain/approvals';
import { createProduct } from '../../domain/catalog';
import { notificationItems } from '../../domain/notifications';
import { putRep } from '../../domain/reps';
import { makeReview } from '../../domain/analytics';
import { putTeam } from '../../domain/directory';
import { createTask } from '../../domain/tasks';
import { createContract, createTemplate, readContract, statusChange, submitContract } from '../../domain/contracts';
import { versionedWrite } from '../../domain/shared/versioned-write';
import { createContact, createCustomer } from '../../domain/customers';
import { assignOpportunity, createOpportunity } from '../../domain/pipeline';
import { createQuote, decideQuote } from '../../domain/quotes';
import type { Deps } from '../../domain/shared/ports';
import type { RouteDefinition } from '../../functions/http/routes';
import { actor } from './actors';
import { eventually } from './eventually';

export interface RouteFixture {
  customerId: string;
  contactId: string;
  opportunityId: string;
  productId: string;
  quoteId: string;
  templateId: string;
  contractId: string;
  approvalId: string;
  linkToken: string;
  notificationId: string;
  taskId: string;
  repUserId: string;
  teamId: string;
  reviewId: string;
}

/** The period the matrix plans in (targets, forecast calls). */
export const FIXTURE_PERIOD = 'FY2027-Q1';
/** The ISO week of the fixtures' weekly reviews. */
export const FIXTURE_WEEK = '2027-W11';

/** Routes that act on a quote the customer has already been sent. */
const NEEDS_SENT_QUOTE = new Set(['acceptQuote', 'rejectQuote', 'reviseQuote']);
/** Routes that act on a contract in a later state than draft. */
const CONTRACT_STATUS_FOR: Record<string, 'approved' | 'rejected'> = { signContract: 'approved', reviseContract: 'rejected' };
/** Who submits fixture contracts and decides by fixture links: neither owner nor matrix caller. */
const SUBMITTER = 'fixture-manager';
const LINK_APPROVER = 'fixture-approver';
const NONE = '-';

export async function routeFixture(
  deps: Deps,
  route: RouteDefinition,
  options: { tenant: string; owner: string; previousOwner?: string; approvals?: ApprovalEngine },
): Promise<RouteFixture> {
  const manager = actor(options.tenant, SUBMITTER, 'manager');
  const admin = actor(options.tenant, 'fixture-admin', 'admin');
  const { path } = route;
  const needsApproval = path.startsWith('/approvals/') || path.startsWith('/approval-links/');
  const needsContract = path.startsWith('/contracts') || route.id === 'createContract' || needsApproval;
  const customer = await createCustomer(deps, manager, { name: `Fixture ${Math.random()}`, owner: options.owner });
  const f: RouteFixture = {
    customerId: customer.id,
    contactId: NONE,
    opportunityId: NONE,
    productId: NONE,
    quoteId: NONE,
    templateId: NONE,
    contractId: NONE,
    approvalId: NONE,
    linkToken: NONE,
    notificationId: NONE,
    taskId: NONE,
    repUserId: NONE,
    teamId: NONE,
    reviewId: NONE,
  };
  if (path.startsWith('/tasks/')) {
    const due = new Date(Date.now() + 86_400_000).toISOString();
    f.taskId = (await createTask(deps, manager, { title: 'Fixture task', dueAt: due, assignee: options.owner, linkedTo: { type: 'customer', id: customer.id } })).id;
  }
  if (path.startsWith('/reps/')) {
    // The caller's own profile, or a user only this fixture's tenant knows.
    f.repUserId = options.owner === 'someone-else' ? `rep-${randomUUID()}` : options.owner;
    await putRep(deps, admin, f.repUserId, { experience: 'mid', capacity: { maxOpenOpportunities: 10, maxOpenLeads: 10 } }, {});
  }
  if (path.startsWith('/teams/') || route.id === 'putTargets') {
    // A team managed by the owner, with an id no other fixture has.
    f.teamId = `team-${randomUUID().replaceAll('-', '')}`;
    await putTeam(deps, admin, f.teamId, { name: 'Fixture team', manager: options.owner, members: [] });
  }
  if (path.startsWith('/reviews')) {
    // A team managed by the owner and its weekly review, made as the job makes it.
    f.teamId = `team-${randomUUID().replaceAll('-', '')}`;
    await putTeam(deps, admin, f.teamId, { name: 'Fixture <team>', manager: options.owner, members: [] });
    f.reviewId = (await makeReview(deps, options.tenant, f.teamId, FIXTURE_WEEK)).reviewId;
  }
  if (path.includes('/adjustments/{userId}')) f.repUserId = options.owner;
  if (path.startsWith('/me/notifications/')) {
    const [item] = notificationItems(deps, options.tenant, new Date().toISOString(), { users: [options.owner] }, {
      type: 'fixture.created',
      title: 'Fixture notification',
      subject: { type: 'customer', id: customer.id },
    });
    await deps.db.entities.notification.create(item!).go();
    f.notificationId = item!.notificationId;
  }
  if (path.includes('{contactId}')) f.contactId = (await createContact(deps, manager, customer.id, { name: 'Fixture Contact' })).id;
  if (path.startsWith('/products')) {
    f.productId = (await createProduct(deps, manager, { sku: `FIX-${customer.id}`, name: 'Fixture product', unitPrices: [{ amount: 500, currency: 'EUR' }] })).id;
  }
  const hasDocuments = path.startsWith('/quotes') || path.includes('/quotes') || needsContract;
  const seller = hasDocuments ? (options.previousOwner ?? options.owner) : options.owner;
  if (path.startsWith('/opportunities') || path.startsWith('/quotes') || needsContract) {
    f.opportunityId = (
      await createOpportunity(deps, manager, { customerId: customer.id, name: 'Fixture deal', owner: seller, expectedCloseDate: '2027-01-31' })
    ).id;
  }
  if (path.startsWith('/quotes') || needsContract) {
    f.quoteId = (await createQuote(deps, manager, f.opportunityId, { lines: [{ description: 'Consulting', quantity: '2', unitPrice: { amount: 10000, currency: 'EUR' } }] })).id;
    if (NEEDS_SENT_QUOTE.has(route.id) || needsContract) await decideQuote(deps, manager, f.quoteId, 'send', {});
    if (needsContract) await decideQuote(deps, manager, f.quoteId, 'accept', {});
  }
  if (needsContract) {
    f.templateId = (await createTemplate(deps, admin, { name: 'Fixture MSA', body: '<p>{{ customer.name }} from {{ contract.startDate }}</p>' })).id;
    if (path.startsWith('/contracts') || needsApproval) {
      f.contractId = (await createContract(deps, manager, f.quoteId, { templateId: f.templateId, startDate: '2027-01-01' })).id;
    }
  }
  const status = CONTRACT_STATUS_FOR[route.id];
  if (status) {
    // The state the route acts on, written directly: how a contract gets there is the approval suite's subject.
    const fields = status === 'approved' ? { approvedAt: new Date().toISOString() } : { rejection: { reason: 'rejected' as const, at: new Date().toISOString() } };
    await versionedWrite(deps, {}, {
      read: () => readContract(deps, manager, f.contractId),
      build: (contract) => statusChange(deps, manager, contract, status, status, fields),
    });
  }
  if (seller !== options.owner) {
    await assignOpportunity(deps, manager, f.opportunityId, { owner: options.owner, reason: 'Fixture: the deal changes hands' });
  }
  if (needsApproval) {
    if (!options.approvals) throw new Error(`Route ${route.id} needs an approval engine for its fixture`);
    await submitContract(deps, options.approvals, manager, f.contractId);
    f.approvalId = await eventually(async () => {
      const { data } = await deps.db.entities.approvalRequest.query.byContract({ tenantId: options.tenant, contractId: f.contractId }).go();
      if (!data[0]) throw new Error('no approval request yet');
      return data[0].requestId;
    });
    if (path.startsWith('/approval-links/')) {
      const links = await createApprovalLinks(deps, actor(options.tenant, LINK_APPROVER, 'manager'), f.approvalId, {
        secret: process.env.APPROVAL_LINK_SECRET ?? '',
        baseUrl: '',
      });
      f.linkToken = links.approveUrl.split('/').pop() ?? NONE;
    }
  }
  return f;
}

/** The route's path with its parameters filled from the fixture. */
export function pathFor(route: RouteDefinition, f: RouteFixture): string {
  const byPrefix: Array<[string, string]> = [
    ['/opportunities', f.opportunityId],
    ['/products', f.productId],
    ['/quotes', f.quoteId],
    ['/contracts', f.contractId],
    ['/approvals/', f.approvalId],
    ['/me/notifications/', f.notificationId],
    ['/tasks/', f.taskId],
    ['/reviews', f.reviewId],
  ];
  const id = byPrefix.find(([prefix]) => route.path.startsWith(prefix))?.[1] ?? f.customerId;
  return route.path.replace('{id}', id).replace('{contactId}', f.contactId).replace('{token}', f.linkToken).replace('{userId}', f.repUserId).replace('{teamId}', f.teamId).replace('{periodId}', FIXTURE_PERIOD);
}

/** The ids a fixture made (placeholders left out), for "nothing of it leaks" checks. */
export const fixtureIds = (f: RouteFixture) =>
  Object.entries(f)
    // A rep's user id and a team id are names the caller puts in the path (a PUT of a team in the caller's own
    // tenant answers with its id), not records of the fixture's tenant only.
    .filter(([key, id]) => id !== NONE && key !== 'repUserId' && key !== 'teamId')
    .map(([, id]) => id);
