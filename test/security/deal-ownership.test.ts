/**
 * Issue 15, finding 2 (OWASP API1): quotes and contracts kept the owner copied when they were made. After the
 * opportunity was reassigned, the removed rep could still edit, send and accept its quotes, make, submit and sign
 * contracts, and rewrite the opportunity's amount through the primary quote, while the new owner got 403.
 * Authority over a deal's quotes and contracts follows the opportunity's current owner. (The authorization matrix
 * runs every quote and contract route on a deal that changed hands, too: test/support/route-fixtures.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

let api: TestApi;
let tokens: { admin: string; manager: string; bob: string; carol: string };

beforeAll(async () => {
  api = await startTestApi();
  const tenant = newTenant('deal-ownership');
  tokens = {
    admin: await api.token(tenant, 'admin', 'dana'),
    manager: await api.token(tenant, 'manager', 'alice'),
    bob: await api.token(tenant, 'rep', 'bob'),
    carol: await api.token(tenant, 'rep', 'carol'),
  };
});
afterAll(() => api.close());

const ok = async <T = { id: string }>(method: string, path: string, token: string, body?: unknown) => {
  const response = await call<T>(api, method, path, { token, body });
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body;
};

describe('a deal that changes hands', () => {
  it('its quotes and contracts go with it: the previous owner is refused, the new owner works them', { timeout: 120_000 }, async () => {
    const customer = await ok('POST', '/customers', tokens.bob, { name: 'Handover GmbH' });
    const deal = await ok('POST', '/opportunities', tokens.bob, { customerId: customer.id, name: 'Handover deal', expectedCloseDate: '2027-05-31' });
    const line = (amount: number) => [{ description: 'Services', quantity: '1', unitPrice: { amount, currency: 'EUR' } }];
    const draft = await ok('POST', `/opportunities/${deal.id}/quotes`, tokens.bob, { lines: line(10_000) });
    const sent = await ok('POST', `/opportunities/${deal.id}/quotes`, tokens.bob, { lines: line(20_000) });
    await ok('POST', `/quotes/${sent.id}/send`, tokens.bob);
    const template = await ok('POST', '/contract-templates', tokens.admin, { name: 'MSA', body: '<p>{{ customer.name }}</p>' });

    await ok('POST', `/opportunities/${deal.id}/assign`, tokens.manager, { owner: 'carol', reason: 'Bob moves to key accounts' });

    // Bob, no longer the deal's owner: nothing of it is his to change — not even the deal's amount via the quote.
    const refused = [
      await call(api, 'PATCH', `/quotes/${draft.id}`, { token: tokens.bob, body: { lines: line(1) } }),
      await call(api, 'POST', `/quotes/${draft.id}/send`, { token: tokens.bob }),
      await call(api, 'POST', `/quotes/${sent.id}/accept`, { token: tokens.bob }),
      await call(api, 'POST', `/quotes/${sent.id}/revise`, { token: tokens.bob }),
      await call(api, 'POST', `/opportunities/${deal.id}/quotes`, { token: tokens.bob, body: { lines: line(1) } }),
    ];
    expect(refused.map((response) => response.status)).toEqual([403, 403, 403, 403, 403]);
    const amount = await ok<{ amount?: { amount: number } }>('GET', `/opportunities/${deal.id}`, tokens.bob);
    expect(amount.amount?.amount).toBe(20_000);

    // Carol, the new owner, does all of it; the quotes and the contract show her as their owner.
    expect((await ok<{ owner: string }>('GET', `/quotes/${draft.id}`, tokens.carol)).owner).toBe('carol');
    await ok('POST', `/quotes/${sent.id}/accept`, tokens.carol);
    const contract = await ok<{ id: string; owner: string }>('POST', `/quotes/${sent.id}/contract`, tokens.carol, { templateId: template.id, startDate: '2027-01-01' });
    expect(contract.owner).toBe('carol');

    // Handed back to Bob: the contract follows, Carol is refused and Bob submits.
    await ok('POST', `/opportunities/${deal.id}/assign`, tokens.manager, { owner: 'bob', reason: 'Back from key accounts' });
    expect((await call(api, 'PATCH', `/contracts/${contract.id}`, { token: tokens.carol, body: { title: 'Mine' } })).status).toBe(403);
    expect((await call(api, 'POST', `/contracts/${contract.id}/submit`, { token: tokens.carol })).status).toBe(403);
    const listed = await ok<{ items: Array<{ id: string; owner: string }> }>('GET', `/contracts?opportunity=${deal.id}`, tokens.bob);
    expect(listed.items.map((item) => [item.id, item.owner])).toEqual([[contract.id, 'bob']]);
    const submitted = await ok<{ status: string; owner: string }>('POST', `/contracts/${contract.id}/submit`, tokens.bob);
    expect(submitted).toMatchObject({ status: 'pending_approval', owner: 'bob' });
  });
});
