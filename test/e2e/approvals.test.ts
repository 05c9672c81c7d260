/**
 * Contract approval end to end over HTTP on the local runtime: the ASL CDK synthesizes, run by
 * aws-local-stepfunctions, its tasks on the real handler, decisions through the API and signed links.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';
import { eventually } from '../support/eventually';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

type Contract = { id: string; status: string; revision: number; version: number; rejection?: { reason: string; comment?: string; by?: string } };
type Request = { id: string; contractId: string; level: number; levelName: string; escalated: boolean; status: string; approvers: { role?: string; users?: string[] }; decidedBy?: string; comment?: string; via?: string };
type Page<T> = { items: T[] };
type Trail = { status: string; revision: number; chain: Array<{ level: number; name: string; reasons: string[] }>; requests: Request[] };

interface Team {
  tenant: string;
  rep: string;
  manager: string;
  otherManager: string;
  finance: string;
  admin: string;
  templateId: string;
}

async function team(name: string): Promise<Team> {
  const tenant = newTenant(name);
  const admin = await api.token(tenant, 'admin', 'dana');
  const template = await call<{ id: string }>(api, 'POST', '/contract-templates', {
    token: admin,
    body: { name: 'MSA', body: '<p>{{ customer.name }} buys {{ quote.totals.total | money }} from {{ contract.startDate }}. {{ contract.specialTerms }}</p>' },
  });
  expect(template.status).toBe(201);
  return {
    tenant,
    rep: await api.token(tenant, 'rep', 'bob'),
    manager: await api.token(tenant, 'manager', 'alice'),
    otherManager: await api.token(tenant, 'manager', 'mike'),
    finance: await api.token(tenant, 'finance', 'fiona'),
    admin,
    templateId: template.body.id,
  };
}

/** A draft contract for `amount` minor units, made by the rep from an accepted quote. */
async function draftContract(t: Team, amount: number, options: { specialTerms?: string } = {}): Promise<Contract> {
  const customer = await call<{ id: string }>(api, 'POST', '/customers', { token: t.rep, body: { name: `Buyer ${Math.random()}` } });
  const deal = await call<{ id: string }>(api, 'POST', '/opportunities', {
    token: t.rep,
    body: { customerId: customer.body.id, name: 'Platform deal', expectedCloseDate: '2027-03-31' },
  });
  const quote = await call<{ id: string }>(api, 'POST', `/opportunities/${deal.body.id}/quotes`, {
    token: t.rep,
    body: { currency: 'EUR', lines: [{ description: 'Licences', quantity: '1', unitPrice: { amount, currency: 'EUR' } }] },
  });
  expect((await call(api, 'POST', `/quotes/${quote.body.id}/send`, { token: t.rep })).status).toBe(200);
  expect((await call(api, 'POST', `/quotes/${quote.body.id}/accept`, { token: t.rep })).status).toBe(200);
  const contract = await call<Contract>(api, 'POST', `/quotes/${quote.body.id}/contract`, {
    token: t.rep,
    body: { templateId: t.templateId, startDate: '2026-01-01', ...options },
  });
  expect(contract.status).toBe(201);
  return contract.body;
}

async function submit(t: Team, contract: Contract, token = t.rep): Promise<Contract> {
  const submitted = await call<Contract>(api, 'POST', `/contracts/${contract.id}/submit`, { token });
  expect(submitted.status).toBe(200);
  expect(submitted.body.status).toBe('pending_approval');
  return submitted.body;
}

/** The pending request of `contractId` that `token` may decide, once the workflow has made it. */
async function pendingFor(token: string, contractId: string, level?: number): Promise<Request> {
  return eventually(async () => {
    const page = await call<Page<Request>>(api, 'GET', '/approvals?status=pending', { token });
    const found = page.body.items.find((request) => request.contractId === contractId && (level === undefined || request.level === level));
    expect(found, `a pending request of ${contractId}`).toBeDefined();
    return found!;
  });
}

async function contractStatus(t: Team, contractId: string, status: string): Promise<Contract> {
  return eventually(async () => {
    const contract = await call<Contract>(api, 'GET', `/contracts/${contractId}`, { token: t.rep });
    expect(contract.body.status).toBe(status);
    return contract.body;
  });
}

const decide = (token: string, requestId: string, decision: 'approve' | 'reject', comment?: string) =>
  call<Request & { detail?: string }>(api, 'POST', `/approvals/${requestId}/decision`, { token, body: { decision, ...(comment && { comment }) } });

describe('contract approval over HTTP', () => {
  it('single level: a manager approves a small contract, which can then be signed', async () => {
    const t = await team('approve-one');
    const contract = await submit(t, await draftContract(t, 20_000_00));
    const request = await pendingFor(t.manager, contract.id);
    expect(request).toMatchObject({ level: 1, levelName: 'Manager', approvers: { role: 'manager' }, status: 'pending', escalated: false });
    // Nobody else is asked: finance and the rep see nothing to decide.
    expect((await call<Page<Request>>(api, 'GET', '/approvals', { token: t.finance })).body.items).toEqual([]);
    expect((await call<Page<Request>>(api, 'GET', '/approvals', { token: t.rep })).body.items).toEqual([]);

    const decided = await decide(t.manager, request.id, 'approve', 'Standard terms, fine');
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'approved', decidedBy: 'alice', comment: 'Standard terms, fine', via: 'api' });
    const approved = await contractStatus(t, contract.id, 'approved');

    const trail = await call<Trail>(api, 'GET', `/contracts/${contract.id}/approvals`, { token: t.rep });
    expect(trail.body.chain.map((level) => level.name)).toEqual(['Manager']);
    expect(trail.body.requests.map((r) => [r.level, r.status, r.decidedBy])).toEqual([[1, 'approved', 'alice']]);
    const mine = await call<Page<Request>>(api, 'GET', '/approvals?status=approved', { token: t.manager });
    expect(mine.body.items.map((r) => r.id)).toEqual([request.id]);

    const signed = await call<Contract>(api, 'POST', `/contracts/${contract.id}/sign`, {
      token: t.rep,
      body: { signedBy: 'Dee Cider, CFO', signedAt: new Date().toISOString() },
      headers: { 'if-match': `"${approved.version}"` },
    });
    expect(signed.status).toBe(200);
    expect(signed.body.status).toBe('active');
  });

  it('multi level: a large contract needs the manager, then finance', async () => {
    const t = await team('approve-two');
    const contract = await submit(t, await draftContract(t, 60_000_00));
    const first = await pendingFor(t.manager, contract.id, 1);
    // Finance is not asked before the manager approved.
    expect((await call<Page<Request>>(api, 'GET', '/approvals', { token: t.finance })).body.items).toEqual([]);
    expect((await decide(t.manager, first.id, 'approve')).status).toBe(200);

    const second = await pendingFor(t.finance, contract.id, 2);
    expect(second).toMatchObject({ levelName: 'Finance', approvers: { role: 'finance' } });
    expect((await call<Contract>(api, 'GET', `/contracts/${contract.id}`, { token: t.rep })).body.status).toBe('pending_approval');
    expect((await decide(t.finance, second.id, 'approve')).status).toBe(200);
    await contractStatus(t, contract.id, 'approved');

    const trail = await call<Trail>(api, 'GET', `/contracts/${contract.id}/approvals`, { token: t.finance });
    expect(trail.body.chain.map((level) => [level.name, level.reasons])).toEqual([
      ['Manager', ['every contract']],
      ['Finance', ['total 60000.00 EUR ≥ 50000.00']],
    ]);
    expect(trail.body.requests.map((r) => [r.level, r.status, r.decidedBy])).toEqual([
      [1, 'approved', 'alice'],
      [2, 'approved', 'fiona'],
    ]);
  });

  it('rejected at level 2: the contract is rejected with the reason, revised into revision 2 and submitted again', async () => {
    const t = await team('reject-two');
    const contract = await submit(t, await draftContract(t, 75_000_00));
    expect((await decide(t.manager, (await pendingFor(t.manager, contract.id, 1)).id, 'approve')).status).toBe(200);
    const second = await pendingFor(t.finance, contract.id, 2);

    const noReason = await call<{ errors: Array<{ path: string }> }>(api, 'POST', `/approvals/${second.id}/decision`, { token: t.finance, body: { decision: 'reject' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e) => e.path)).toEqual(['body.comment']);
    expect((await decide(t.finance, second.id, 'reject', 'Payment terms of 90 days are not acceptable')).status).toBe(200);

    const rejected = await contractStatus(t, contract.id, 'rejected');
    expect(rejected.rejection).toMatchObject({ reason: 'rejected', comment: 'Payment terms of 90 days are not acceptable', by: 'fiona' });
    // Edits after submission stay refused; the way forward is a revision.
    expect((await call(api, 'PATCH', `/contracts/${contract.id}`, { token: t.rep, body: { title: 'Sneaky' } })).status).toBe(409);
    const revised = await call<Contract>(api, 'POST', `/contracts/${contract.id}/revise`, { token: t.rep });
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({ status: 'draft', revision: 2 });
    expect(revised.body.rejection).toBeUndefined();
    expect((await call(api, 'PATCH', `/contracts/${contract.id}`, { token: t.rep, body: { specialTerms: 'Payment within 30 days' } })).status).toBe(200);

    await submit(t, revised.body);
    const again = await pendingFor(t.manager, contract.id, 1);
    expect(again.id).not.toBe(second.id);
    const trail = await call<Trail>(api, 'GET', `/contracts/${contract.id}/approvals`, { token: t.rep });
    expect(trail.body.revision).toBe(2);
    expect(trail.body.requests.map((r) => [r.level, r.status])).toEqual([
      [1, 'approved'],
      [2, 'rejected'],
      [1, 'pending'],
    ]);
  });

  it('timeout → escalation → approve: the escalation target decides; the late original answers 410', async () => {
    const t = await team('escalate');
    const policy = await call(api, 'PUT', '/approval-policy', {
      token: t.admin,
      body: { levels: [{ name: 'Manager', approvers: { role: 'manager' }, timeoutSeconds: 1, escalateTo: { role: 'admin' }, escalationTimeoutSeconds: 3600 }] },
    });
    expect(policy.status).toBe(200);
    const contract = await submit(t, await draftContract(t, 1_000_00));
    const escalated = await pendingFor(t.admin, contract.id);
    expect(escalated).toMatchObject({ level: 1, escalated: true, approvers: { role: 'admin' } });

    const trail = await call<Trail>(api, 'GET', `/contracts/${contract.id}/approvals`, { token: t.rep });
    const original = trail.body.requests.find((r) => !r.escalated)!;
    expect(original.status).toBe('timed_out');
    const late = await decide(t.manager, original.id, 'approve');
    expect(late.status).toBe(410);

    expect((await decide(t.admin, escalated.id, 'approve')).status).toBe(200);
    await contractStatus(t, contract.id, 'approved');
  });

  it('timeout twice: the contract is rejected as approval_timed_out', async () => {
    const t = await team('time-out');
    await call(api, 'PUT', '/approval-policy', {
      token: t.admin,
      body: { levels: [{ name: 'Manager', approvers: { role: 'manager' }, timeoutSeconds: 1, escalateTo: { role: 'admin' }, escalationTimeoutSeconds: 1 }] },
    });
    const contract = await submit(t, await draftContract(t, 1_000_00));
    const rejected = await contractStatus(t, contract.id, 'rejected');
    expect(rejected.rejection?.reason).toBe('approval_timed_out');
    const trail = await call<Trail>(api, 'GET', `/contracts/${contract.id}/approvals`, { token: t.rep });
    expect(trail.body.requests.map((r) => [r.escalated, r.status])).toEqual([
      [false, 'timed_out'],
      [true, 'timed_out'],
    ]);
  });

  it('exactly one decision wins: concurrent decisions by two managers, then a repeat', async () => {
    const t = await team('double');
    const contract = await submit(t, await draftContract(t, 5_000_00));
    const request = await pendingFor(t.manager, contract.id);
    const [a, b] = await Promise.all([decide(t.manager, request.id, 'approve'), decide(t.otherManager, request.id, 'reject', 'No')]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const again = await decide(t.manager, request.id, 'approve');
    expect(again.status).toBe(409);
    const winner = a.status === 200 ? 'approved' : 'rejected';
    await contractStatus(t, contract.id, winner);
  });

  it('notifies: the approvers (as a role) when asked, the rep when rejected; each reader marks read for themselves', async () => {
    type Inbox = { items: Array<{ id: string; type: string; audience: string; read: boolean; subject: { id: string } }>; nextCursor: string | null };
    const t = await team('inbox');
    const contract = await submit(t, await draftContract(t, 5_000_00));
    const request = await pendingFor(t.manager, contract.id);
    const asked = (await call<Inbox>(api, 'GET', '/me/notifications', { token: t.manager })).body.items.find((n) => n.subject.id === request.id);
    expect(asked).toMatchObject({ type: 'approval.requested', audience: 'role:manager', read: false });
    expect((await call<Inbox>(api, 'GET', '/me/notifications', { token: t.finance })).body.items).toEqual([]);

    expect((await call(api, 'POST', `/me/notifications/${asked!.id}/read`, { token: t.manager })).status).toBe(200);
    const mine = await call<Inbox>(api, 'GET', '/me/notifications?unread=true', { token: t.manager });
    expect(mine.body.items.map((n) => n.id)).not.toContain(asked!.id);
    // Read by alice, still unread for mike.
    const his = await call<Inbox>(api, 'GET', '/me/notifications?unread=true', { token: t.otherManager });
    expect(his.body.items.map((n) => n.id)).toContain(asked!.id);

    expect((await decide(t.manager, request.id, 'reject', 'Wrong legal entity')).status).toBe(200);
    await contractStatus(t, contract.id, 'rejected');
    const told = await eventually(async () => {
      const inbox = await call<Inbox>(api, 'GET', '/me/notifications', { token: t.rep });
      const found = inbox.body.items.find((n) => n.type === 'contract.rejected');
      expect(found).toBeDefined();
      return found!;
    });
    expect(told).toMatchObject({ audience: 'user:bob', read: false, subject: { id: contract.id } });
    expect((await call(api, 'POST', `/me/notifications/${told.id}/read`, { token: t.manager })).status).toBe(404);
  });

  it('a double submit starts nothing new', async () => {
    const t = await team('double-submit');
    const contract = await draftContract(t, 5_000_00);
    const [first, second] = await Promise.all([
      call<Contract>(api, 'POST', `/contracts/${contract.id}/submit`, { token: t.rep }),
      call<Contract>(api, 'POST', `/contracts/${contract.id}/submit`, { token: t.rep }),
    ]);
    expect([first.status, second.status].filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
    await call(api, 'POST', `/contracts/${contract.id}/submit`, { token: t.rep });
    const names = [...api.approvals.executions().keys()].filter((name) => name.includes(contract.id));
    expect(names).toEqual([`contract-${contract.id}-r1`]);
    await pendingFor(t.manager, contract.id);
    const trail = await call<Trail>(api, 'GET', `/contracts/${contract.id}/approvals`, { token: t.rep });
    expect(trail.body.requests).toHaveLength(1);
  });

  it('separation of duties: a manager never approves a contract they submitted or own', async () => {
    const t = await team('duties');
    const contract = await draftContract(t, 5_000_00);
    // The manager submits the rep's contract; the manager may not approve it, another manager may.
    await submit(t, contract, t.manager);
    const request = await pendingFor(t.otherManager, contract.id);
    const own = await call<Page<Request>>(api, 'GET', '/approvals', { token: t.manager });
    expect(own.body.items.map((r) => r.id)).not.toContain(request.id);
    const refused = await decide(t.manager, request.id, 'approve');
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/separation of duties/i);
    expect((await decide(t.finance, request.id, 'approve')).status).toBe(403);
    expect((await decide(t.otherManager, request.id, 'approve')).status).toBe(200);
  });

  it("?contract= lists one contract's requests, with the same rules by status, its cursor scoped to it", async () => {
    const t = await team('by-contract');
    const other = await team('by-contract-other');
    const mine = await submit(t, await draftContract(t, 60_000_00));
    const theirs = await submit(t, await draftContract(t, 5_000_00));
    const first = await pendingFor(t.manager, mine.id, 1);
    await pendingFor(t.manager, theirs.id, 1);
    const list = async (token: string, query: string) => {
      const page = await call<Page<Request> & { nextCursor: string | null }>(api, 'GET', `/approvals?${query}`, { token });
      expect(page.status).toBe(200);
      return page.body;
    };
    expect((await list(t.manager, `contract=${mine.id}`)).items.map((r) => r.id)).toEqual([first.id]);
    // What the caller may decide, nothing else: finance is not asked before the manager approved, the rep never.
    expect((await list(t.finance, `contract=${mine.id}`)).items).toEqual([]);
    expect((await list(t.rep, `contract=${mine.id}`)).items).toEqual([]);
    // Tenant-keyed: another tenant's manager sees nothing of it.
    expect((await list(other.manager, `contract=${mine.id}`)).items).toEqual([]);
    // The cursor is scoped to the filter: one of the unfiltered list is refused on a contract's list.
    const unfiltered = await list(t.manager, 'limit=1');
    expect(unfiltered.nextCursor).not.toBeNull();
    const replayed = await call(api, 'GET', `/approvals?limit=1&contract=${theirs.id}&cursor=${unfiltered.nextCursor}`, { token: t.manager });
    expect(replayed.status).toBe(400);
    expect((await call(api, 'GET', '/approvals?contract=not%20an%20id', { token: t.manager })).status).toBe(400);

    expect((await decide(t.manager, first.id, 'approve')).status).toBe(200);
    const second = await pendingFor(t.finance, mine.id, 2);
    expect((await list(t.finance, `contract=${mine.id}`)).items.map((r) => r.id)).toEqual([second.id]);
    expect((await list(t.manager, `contract=${mine.id}`)).items).toEqual([]);
    expect((await list(t.manager, `contract=${mine.id}&status=approved`)).items.map((r) => r.id)).toEqual([first.id]);
    expect((await list(t.otherManager, `contract=${mine.id}&status=approved`)).items).toEqual([]);

  });

  it('another tenant can neither see nor decide a request', async () => {
    const t = await team('tenant-a');
    const other = await team('tenant-b');
    const contract = await submit(t, await draftContract(t, 5_000_00));
    const request = await pendingFor(t.manager, contract.id);
    expect((await decide(other.manager, request.id, 'approve')).status).toBe(404);
    expect((await call(api, 'GET', `/contracts/${contract.id}/approvals`, { token: other.manager })).status).toBe(404);
    expect((await call<Page<Request>>(api, 'GET', '/approvals', { token: other.manager })).body.items).toEqual([]);
    expect((await call(api, 'POST', `/approvals/${request.id}/links`, { token: other.manager })).status).toBe(404);
  });

  it('signed links: shown without deciding, used once, tampering refused', async () => {
    const t = await team('links');
    const contract = await submit(t, await draftContract(t, 5_000_00));
    const request = await pendingFor(t.manager, contract.id);
    expect((await call(api, 'POST', `/approvals/${request.id}/links`, { token: t.finance })).status).toBe(403);
    const links = await call<{ approveUrl: string; rejectUrl: string; expiresAt: string }>(api, 'POST', `/approvals/${request.id}/links`, { token: t.manager });
    expect(links.status).toBe(200);
    const approvePath = new URL(links.body.approveUrl).pathname;
    const rejectPath = new URL(links.body.rejectUrl).pathname;
    expect(links.body.approveUrl.startsWith(api.baseUrl)).toBe(true);

    const shown = await call<{ decision: string; approver: string; status: string }>(api, 'GET', approvePath);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ decision: 'approve', approver: 'alice', status: 'pending' });

    const [payload, signature] = approvePath.split('/').pop()!.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), u: 'mallory' })).toString('base64url');
    expect((await call(api, 'POST', `/approval-links/${forged}.${signature}`, { body: {} })).status).toBe(403);
    const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    expect((await call(api, 'POST', `/approval-links/${payload}.${flipped}`, { body: {} })).status).toBe(403);

    const used = await call<Request>(api, 'POST', approvePath, { body: {} });
    expect(used.status).toBe(200);
    expect(used.body).toMatchObject({ status: 'approved', decidedBy: 'alice', via: 'link' });
    expect((await call(api, 'POST', approvePath, { body: {} })).status).toBe(410);
    expect((await call(api, 'POST', rejectPath, { body: { comment: 'changed my mind' } })).status).toBe(410);
    await contractStatus(t, contract.id, 'approved');
  });
});
