/**
 * Issue 15, finding 3 (OWASP API6/API3): a rep could get past the discount limit and the approval policy by
 * charging less than the catalog price (or a lower tax category) instead of giving a discount. Only managers and
 * admins override a catalog price or tax category, and any price below the catalog's counts as discount:
 * effective discount = 1 − net ÷ catalog list price, for `maxDiscountPercent` and for approval routing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/dynamo';
import { eventually } from '../support/eventually';
import { call, startTestApi, type TestApi } from '../support/local-api';

type Problem = { status: number; detail: string; errors: Array<{ path: string; message: string }> };
interface QuoteBody {
  id: string;
  effectiveDiscountPercent: string;
  needsApproval: boolean;
  lines: Array<{ unitPrice: { amount: number }; listPrice?: { amount: number }; totals: { list?: { amount: number }; net: { amount: number } } }>;
  totals: { list?: { amount: number }; subtotal: { amount: number } };
}

let api: TestApi;
let tokens: { admin: string; manager: string; rep: string };
let dealId: string;
let productId: string;

beforeAll(async () => {
  api = await startTestApi();
  const tenant = newTenant('discount-bypass');
  tokens = {
    admin: await api.token(tenant, 'admin', 'dana'),
    manager: await api.token(tenant, 'manager', 'alice'),
    rep: await api.token(tenant, 'rep', 'bob'),
  };
  const settings = await call(api, 'PUT', '/settings', {
    token: tokens.admin,
    body: { baseCurrency: 'EUR', lostReasons: ['price'], taxRates: { standard: '19', reduced: '7' }, maxDiscountPercent: '20' },
  });
  expect(settings.status).toBe(200);
  const product = await call<{ id: string }>(api, 'POST', '/products', {
    token: tokens.manager,
    body: { sku: 'LIC-ENT', name: 'Enterprise licence', unitPrices: [{ amount: 100_000, currency: 'EUR' }] },
  });
  productId = product.body.id;
  const customer = await call<{ id: string }>(api, 'POST', '/customers', { token: tokens.rep, body: { name: 'Cheapskate Ltd' } });
  const deal = await call<{ id: string }>(api, 'POST', '/opportunities', {
    token: tokens.rep,
    body: { customerId: customer.body.id, name: 'Cheapskate licences', expectedCloseDate: '2027-06-30' },
  });
  dealId = deal.body.id;
});
afterAll(() => api.close());

const quoteOn = (token: string, line: Record<string, unknown>) =>
  call<QuoteBody & Problem>(api, 'POST', `/opportunities/${dealId}/quotes`, { token, body: { lines: [{ productId, quantity: '10', ...line }] } });

describe('a rep charges the catalog', () => {
  it('a lower price on a product line is a 403 naming the field', async () => {
    const cut = await quoteOn(tokens.rep, { unitPrice: { amount: 70_000, currency: 'EUR' } });
    expect(cut.status).toBe(403);
    expect(cut.body.errors).toEqual([{ path: 'body.lines.0.unitPrice', message: expect.stringContaining('Only managers and admins') }]);
  });

  it('another tax category is a 403 naming the field', async () => {
    const reduced = await quoteOn(tokens.rep, { taxCategory: 'reduced' });
    expect(reduced.status).toBe(403);
    expect(reduced.body.errors.map((issue) => issue.path)).toEqual(['body.lines.0.taxCategory']);
  });

  it("the catalog's own price and category are no override", async () => {
    const same = await quoteOn(tokens.rep, { unitPrice: { amount: 100_000, currency: 'EUR' }, taxCategory: 'standard', discountPercent: '5' });
    expect(same.status).toBe(201);
    expect(same.body.effectiveDiscountPercent).toBe('5.00');
    expect(same.body.lines[0]?.listPrice).toBeUndefined();
  });

  it('changing the lines of a quote a manager priced is the same rule; editing its notes is not', async () => {
    const priced = await quoteOn(tokens.manager, { unitPrice: { amount: 90_000, currency: 'EUR' } });
    expect(priced.status).toBe(201);
    const notes = await call(api, 'PATCH', `/quotes/${priced.body.id}`, { token: tokens.rep, body: { notes: 'Delivery in May' } });
    expect(notes.status).toBe(200);
    const relined = await call<Problem>(api, 'PATCH', `/quotes/${priced.body.id}`, {
      token: tokens.rep,
      body: { lines: [{ productId, quantity: '20', unitPrice: { amount: 90_000, currency: 'EUR' } }] },
    });
    expect(relined.status).toBe(403);
    expect(relined.body.errors.map((issue) => issue.path)).toEqual(['body.lines.0.unitPrice']);
  });
});

describe('a price below the catalog counts as discount', () => {
  it('for the discount limit and for the approval policy: 1 − net ÷ list', async () => {
    // 10 × 700.00 instead of 10 × 1,000.00, no discount given: 30% below the list, over the 20% limit.
    const override = await quoteOn(tokens.manager, { unitPrice: { amount: 70_000, currency: 'EUR' } });
    expect(override.status).toBe(201);
    expect(override.body).toMatchObject({ effectiveDiscountPercent: '30.00', needsApproval: true, totals: { list: { amount: 1_000_000 }, subtotal: { amount: 700_000 } } });
    expect(override.body.lines[0]).toMatchObject({ unitPrice: { amount: 70_000 }, listPrice: { amount: 100_000 }, totals: { list: { amount: 1_000_000 } } });

    // The rep cannot send a quote over the limit; a manager does, and the contract made from it needs finance.
    expect((await call(api, 'POST', `/quotes/${override.body.id}/send`, { token: tokens.rep })).status).toBe(403);
    expect((await call(api, 'POST', `/quotes/${override.body.id}/send`, { token: tokens.manager })).status).toBe(200);
    expect((await call(api, 'POST', `/quotes/${override.body.id}/accept`, { token: tokens.rep })).status).toBe(200);
    const template = await call<{ id: string }>(api, 'POST', '/contract-templates', { token: tokens.admin, body: { name: 'MSA', body: '<p>{{ customer.name }}</p>' } });
    const contract = await call<{ id: string }>(api, 'POST', `/quotes/${override.body.id}/contract`, {
      token: tokens.rep,
      body: { templateId: template.body.id, startDate: '2027-01-01' },
    });
    expect(contract.status).toBe(201);
    expect((await call(api, 'POST', `/contracts/${contract.body.id}/submit`, { token: tokens.rep })).status).toBe(200);
    const chain = await eventually(async () => {
      const trail = await call<{ chain: Array<{ name: string; reasons: string[] }> }>(api, 'GET', `/contracts/${contract.body.id}/approvals`, { token: tokens.rep });
      expect(trail.body.chain.length).toBeGreaterThan(0);
      return trail.body.chain;
    });
    expect(chain.map((level) => level.reasons)).toContainEqual(['discount 30% > 20%']);
  });
});
