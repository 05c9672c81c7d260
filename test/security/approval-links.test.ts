/**
 * Issue 15, finding 5 (OWASP API6): approval links outlived the approver's authority — a link carried the roles of
 * when it was made and stayed valid until the step was due (up to 21 days), and one user could decide two levels
 * of the same revision. Now a link lives at most 72 hours (or until the step is due, if sooner), an admin revokes
 * a user's outstanding links, and nobody decides two levels of one revision, whatever roles they hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/dynamo';
import { eventually } from '../support/eventually';
import { call, startTestApi, type TestApi } from '../support/local-api';

interface Request {
  id: string;
  contractId: string;
  level: number;
  status: string;
}
type Links = { approveUrl: string; rejectUrl: string; expiresAt: string };

let api: TestApi;
let tenant: string;
let tokens: { admin: string; rep: string; mike: string; fiona: string; boss: string };

beforeAll(async () => {
  api = await startTestApi();
  tenant = newTenant('approval-links');
  tokens = {
    admin: await api.token(tenant, 'admin', 'dana'),
    rep: await api.token(tenant, 'rep', 'bob'),
    mike: await api.token(tenant, 'manager', 'mike'),
    fiona: await api.token(tenant, 'finance', 'fiona'),
    // One person holding both approving roles.
    boss: await api.token(tenant, ['manager', 'finance'], 'boss'),
  };
  // Steps wait a week: longer than a link may live.
  const policy = await call(api, 'PUT', '/approval-policy', {
    token: tokens.admin,
    body: {
      levels: [
        { name: 'Manager', approvers: { role: 'manager' }, escalateTo: { role: 'admin' }, timeoutSeconds: 7 * 86_400 },
        { name: 'Finance', approvers: { role: 'finance' }, escalateTo: { role: 'admin' }, timeoutSeconds: 7 * 86_400 },
      ],
    },
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(200);
});
afterAll(() => api.close());

const ok = async <T = { id: string }>(method: string, path: string, token: string, body?: unknown) => {
  const response = await call<T>(api, method, path, { token, body });
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body;
};

/** A contract submitted by the rep, and its pending request at `level` as `token` lists it. */
async function submittedContract(name: string): Promise<string> {
  const template = await ok('POST', '/contract-templates', tokens.admin, { name: `MSA ${name}`, body: '<p>{{ customer.name }}</p>' });
  const customer = await ok('POST', '/customers', tokens.rep, { name: `${name} Inc` });
  const deal = await ok('POST', '/opportunities', tokens.rep, { customerId: customer.id, name: `${name} deal`, expectedCloseDate: '2027-04-30' });
  const quote = await ok('POST', `/opportunities/${deal.id}/quotes`, tokens.rep, { lines: [{ description: 'Licences', quantity: '1', unitPrice: { amount: 90_000, currency: 'EUR' } }] });
  await ok('POST', `/quotes/${quote.id}/send`, tokens.rep);
  await ok('POST', `/quotes/${quote.id}/accept`, tokens.rep);
  const contract = await ok('POST', `/quotes/${quote.id}/contract`, tokens.rep, { templateId: template.id, startDate: '2027-01-01' });
  await ok('POST', `/contracts/${contract.id}/submit`, tokens.rep);
  return contract.id;
}

const pendingFor = (token: string, contractId: string, level: number) =>
  eventually(async () => {
    const page = await ok<{ items: Request[] }>('GET', `/approvals?contract=${contractId}`, token);
    const request = page.items.find((item) => item.level === level && item.status === 'pending');
    expect(request).toBeDefined();
    return request!;
  });

const linkPath = (url: string) => new URL(url).pathname;

describe('approval links', () => {
  it('live at most 72 hours, even when the step waits longer', async () => {
    const contractId = await submittedContract('Lifetime');
    const request = await pendingFor(tokens.mike, contractId, 1);
    const before = Date.now();
    const links = await ok<Links>('POST', `/approvals/${request.id}/links`, tokens.mike);
    const lifetime = Date.parse(links.expiresAt) - before;
    expect(lifetime).toBeLessThanOrEqual(72 * 3_600_000);
    expect(lifetime).toBeGreaterThan(71 * 3_600_000);
  });

  it("are revoked by an admin: the approver's outstanding links answer 410, links made afterwards work", async () => {
    const contractId = await submittedContract('Revoked');
    const request = await pendingFor(tokens.mike, contractId, 1);
    const old = await ok<Links>('POST', `/approvals/${request.id}/links`, tokens.mike);
    expect((await call(api, 'GET', linkPath(old.approveUrl), {})).status).toBe(200);

    // Only admins revoke; then the old link is dead for reading and deciding.
    expect((await call(api, 'POST', '/approval-link-revocations', { token: tokens.mike, body: { approver: 'mike' } })).status).toBe(403);
    const revocation = await ok<{ approver: string; revokedBy: string }>('POST', '/approval-link-revocations', tokens.admin, { approver: 'mike', reason: 'Lost phone' });
    expect(revocation).toMatchObject({ approver: 'mike', revokedBy: 'dana', reason: 'Lost phone' });
    const opened = await call<{ detail: string }>(api, 'GET', linkPath(old.approveUrl), {});
    expect(opened.status).toBe(410);
    expect(opened.body.detail).toMatch(/revoked/);
    expect((await call(api, 'POST', linkPath(old.approveUrl), { body: {} })).status).toBe(410);

    // A second past the revocation (links are stamped in seconds), a new link decides.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const fresh = await ok<Links>('POST', `/approvals/${request.id}/links`, tokens.mike);
    const decided = await call<{ status: string }>(api, 'POST', linkPath(fresh.approveUrl), { body: { comment: 'From my new phone' } });
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('approved');
  });
});

describe('separation of duties across levels', () => {
  it('nobody decides two levels of the same revision, even holding both roles', async () => {
    const contractId = await submittedContract('Duties');
    const first = await pendingFor(tokens.boss, contractId, 1);
    await ok('POST', `/approvals/${first.id}/decision`, tokens.boss, { decision: 'approve', comment: 'As manager' });

    // The finance level: not offered to boss, refused to boss (decision and links), decided by fiona.
    const second = await pendingFor(tokens.fiona, contractId, 2);
    const offered = await ok<{ items: Request[] }>('GET', `/approvals?contract=${contractId}`, tokens.boss);
    expect(offered.items.filter((item) => item.status === 'pending')).toEqual([]);
    const refused = await call<{ detail: string }>(api, 'POST', `/approvals/${second.id}/decision`, { token: tokens.boss, body: { decision: 'approve' } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/earlier level/);
    expect((await call(api, 'POST', `/approvals/${second.id}/links`, { token: tokens.boss })).status).toBe(403);
    await ok('POST', `/approvals/${second.id}/decision`, tokens.fiona, { decision: 'approve' });
    await eventually(async () => expect((await ok<{ status: string }>('GET', `/contracts/${contractId}`, tokens.rep)).status).toBe('approved'));
  });
});
