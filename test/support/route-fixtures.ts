/**
 * Fresh records for a call to one route: whatever its path points at (customer, contact, opportunity, product,
 * quote, contract), owned by `owner`, made through the real use cases. Only what the route needs is made.
 */
import { createProduct } from '../../domain/catalog/service';
import { createContract, createTemplate } from '../../domain/contracts/service';
import { createContact, createCustomer } from '../../domain/customers/service';
import { createOpportunity } from '../../domain/pipeline/service';
import { createQuote, decideQuote } from '../../domain/quotes/service';
import type { Deps } from '../../domain/shared/ports';
import type { RouteDefinition } from '../../functions/http/routes';
import { actor } from './dynamo';

export interface RouteFixture {
  customerId: string;
  contactId: string;
  opportunityId: string;
  productId: string;
  quoteId: string;
  templateId: string;
  contractId: string;
}

/** Routes that act on a quote the customer has already been sent. */
const NEEDS_SENT_QUOTE = new Set(['acceptQuote', 'rejectQuote', 'reviseQuote']);
const NONE = '-';

export async function routeFixture(deps: Deps, route: RouteDefinition, options: { tenant: string; owner: string }): Promise<RouteFixture> {
  const manager = actor(options.tenant, 'fixture-manager', 'manager');
  const admin = actor(options.tenant, 'fixture-admin', 'admin');
  const { path } = route;
  const needsContract = path.startsWith('/contracts') || route.id === 'createContract';
  const customer = await createCustomer(deps, manager, { name: `Fixture ${Math.random()}`, owner: options.owner });
  const f: RouteFixture = { customerId: customer.id, contactId: NONE, opportunityId: NONE, productId: NONE, quoteId: NONE, templateId: NONE, contractId: NONE };
  if (path.includes('{contactId}')) f.contactId = (await createContact(deps, manager, customer.id, { name: 'Fixture Contact' })).id;
  if (path.startsWith('/products')) {
    f.productId = (await createProduct(deps, manager, { sku: `FIX-${customer.id}`, name: 'Fixture product', unitPrices: [{ amount: 500, currency: 'EUR' }] })).id;
  }
  if (path.startsWith('/opportunities') || path.startsWith('/quotes') || needsContract) {
    f.opportunityId = (
      await createOpportunity(deps, manager, { customerId: customer.id, name: 'Fixture deal', owner: options.owner, expectedCloseDate: '2027-01-31' })
    ).id;
  }
  if (path.startsWith('/quotes') || needsContract) {
    f.quoteId = (await createQuote(deps, manager, f.opportunityId, { lines: [{ description: 'Consulting', quantity: '2', unitPrice: { amount: 10000, currency: 'EUR' } }] })).id;
    if (NEEDS_SENT_QUOTE.has(route.id) || needsContract) await decideQuote(deps, manager, f.quoteId, 'send', {});
    if (needsContract) await decideQuote(deps, manager, f.quoteId, 'accept', {});
  }
  if (needsContract) {
    f.templateId = (await createTemplate(deps, admin, { name: 'Fixture MSA', body: '<p>{{ customer.name }} from {{ contract.startDate }}</p>' })).id;
    if (path.startsWith('/contracts')) f.contractId = (await createContract(deps, manager, f.quoteId, { templateId: f.templateId, startDate: '2027-01-01' })).id;
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
  ];
  const id = byPrefix.find(([prefix]) => route.path.startsWith(prefix))?.[1] ?? f.customerId;
  return route.path.replace('{id}', id).replace('{contactId}', f.contactId);
}

/** The ids a fixture made (placeholders left out), for "nothing of it leaks" checks. */
export const fixtureIds = (f: RouteFixture) => Object.values(f).filter((id) => id !== NONE);
