/**
 * The whole funnel over HTTP, as a sales team lives it: a lead, its contact and first call, the gates on the
 * way, a quote, a contract approved by a manager and signed, a loss and a win, the stage history and the change
 * feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/dynamo';
import { eventually } from '../support/eventually';
import { call, startTestApi, type TestApi } from '../support/local-api';

let api: TestApi;
let rep: string;
let manager: string;
let admin: string;

beforeAll(async () => {
  api = await startTestApi();
  const tenant = newTenant('funnel');
  rep = await api.token(tenant, 'rep', 'bob');
  manager = await api.token(tenant, 'manager', 'alice');
  admin = await api.token(tenant, 'admin', 'dana');
});
afterAll(() => api.close());

type Opportunity = { id: string; stage: string; status: string; probability: number; version: number; customerId: string };
type Problem = { status: number; detail: string; errors: Array<{ path: string; message: string }> };

describe('the funnel over HTTP', () => {
  it('takes a lead through every gate to won, and a second deal to lost', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const customer = await call<{ id: string }>(api, 'POST', '/customers', { token: rep, body: { name: 'Funnel Corp', domain: 'funnel.example' } });
    const created = await call<Opportunity>(api, 'POST', '/opportunities', {
      token: rep,
      body: { customerId: customer.body.id, name: 'Funnel Corp platform', expectedCloseDate: '2026-12-31', amount: { amount: 12_000_000, currency: 'EUR' } },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/opportunities/${created.body.id}`);
    expect(created.body).toMatchObject({ stage: 'lead', probability: 10, status: 'open' });
    const path = `/opportunities/${created.body.id}`;
    const lifecycle = await call<{ lifecycle: string }>(api, 'GET', `/customers/${customer.body.id}`, { token: rep });
    expect(lifecycle.body.lifecycle).toBe('prospect');

    // Skipping ahead is refused with everything that is missing.
    const blocked = await call<Problem>(api, 'POST', `${path}/stage`, { token: rep, body: { stage: 'needs_analysis' } });
    expect(blocked.status).toBe(422);
    expect(blocked.headers.get('content-type')).toBe('application/problem+json');
    expect(blocked.body.errors.map((e) => e.path)).toEqual(['customer.contacts', 'activities']);
    expect(blocked.body.detail).toBe('The opportunity cannot move to needs_analysis yet: 2 gate criteria are not met');

    await call(api, 'POST', `/customers/${customer.body.id}/contacts`, { token: rep, body: { name: 'Dee Cider', email: 'dee@funnel.example', buyingRole: 'decision_maker' } });
    const followUp = await call(api, 'POST', `${path}/activities`, { token: rep, body: { type: 'call', subject: 'First call' } });
    expect(followUp.status).toBe(201);
    const analysis = await call<Opportunity>(api, 'POST', `${path}/stage`, { token: rep, body: { stage: 'needs_analysis' }, headers: { 'if-match': '"1"' } });
    expect(analysis.status).toBe(200);
    expect(analysis.headers.get('etag')).toBe('"2"');

    const stale = await call(api, 'POST', `${path}/stage`, { token: rep, body: { stage: 'quote' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    const needsAnalysis = await call<Problem>(api, 'POST', `${path}/stage`, { token: rep, body: { stage: 'quote' } });
    expect(needsAnalysis.body.errors.map((e) => e.path)).toEqual(['interestPoints', 'decisionFactors.budget', 'decisionFactors.need']);
    await call(api, 'PATCH', path, {
      token: rep,
      body: { interestPoints: ['Single sign-on', 'EU hosting'], decisionFactors: { budget: 'Approved for Q4', need: 'Audit finding', authority: 'CFO signs' } },
    });
    expect((await call(api, 'POST', `${path}/stage`, { token: rep, body: { stage: 'quote' } })).status).toBe(200);
    // Leaving `quote` needs a sent quote.
    const noQuote = await call<Problem>(api, 'POST', `${path}/stage`, { token: rep, body: { stage: 'negotiation' } });
    expect(noQuote.body.errors.map((e) => e.path)).toEqual(['quotes']);
    expect(noQuote.body.detail).toBe('The opportunity cannot move to negotiation yet: one gate criterion is not met');
    const quote = await call<{ id: string; totals: { total: { amount: number } }; status: string }>(api, 'POST', `${path}/quotes`, {
      token: rep,
      body: { lines: [{ description: 'Platform licence', quantity: 2, unitPrice: { amount: 100000, currency: 'EUR' }, discountPercent: '10' }] },
    });
    expect(quote.status).toBe(201);
    expect(quote.body.totals.total.amount).toBe(180000); // tax rate `standard` is 0 until an admin sets one
    expect((await call(api, 'GET', path, { token: rep })).body).toMatchObject({ amount: { amount: 180000, currency: 'EUR' } });
    expect((await call(api, 'POST', `/quotes/${quote.body.id}/send`, { token: rep })).status).toBe(200);
    const document = await call<string>(api, 'GET', `/quotes/${quote.body.id}/document`, { token: rep });
    expect(document.headers.get('content-type')).toMatch(/text\/html/);
    expect(document.body).toContain('1,800.00 EUR');
    expect((await call(api, 'POST', `${path}/stage`, { token: rep, body: { stage: 'negotiation' } })).status).toBe(200);

    // Won needs a signed contract: from the accepted quote, approved by a manager through the workflow.
    const unsigned = await call<Problem>(api, 'POST', `${path}/stage`, { token: rep, body: { stage: 'won' } });
    expect(unsigned.status).toBe(422);
    expect(unsigned.body.errors.map((e) => e.path)).toEqual(['contracts']);
    expect((await call(api, 'POST', `/quotes/${quote.body.id}/accept`, { token: rep })).status).toBe(200);
    const template = await call<{ id: string }>(api, 'POST', '/contract-templates', {
      token: admin,
      body: { name: 'MSA', body: '<p>{{ customer.name }}: {{ quote.totals.total | money }}</p>' },
    });
    const contract = await call<{ id: string; body: string }>(api, 'POST', `/quotes/${quote.body.id}/contract`, {
      token: rep,
      body: { templateId: template.body.id, startDate: '2026-01-01' },
    });
    expect(contract.body.body).toBe('<p>Funnel Corp: 1,800.00 EUR</p>');
    expect((await call(api, 'POST', `/contracts/${contract.body.id}/submit`, { token: rep })).status).toBe(200);
    const request = await eventually(async () => {
      const pending = await call<{ items: Array<{ id: string; contractId: string }> }>(api, 'GET', '/approvals', { token: manager });
      const found = pending.body.items.find((item) => item.contractId === contract.body.id);
      expect(found).toBeDefined();
      return found!;
    });
    expect((await call(api, 'POST', `/approvals/${request.id}/decision`, { token: manager, body: { decision: 'approve' } })).status).toBe(200);
    await eventually(async () => expect((await call<{ status: string }>(api, 'GET', `/contracts/${contract.body.id}`, { token: rep })).body.status).toBe('approved'));
    const signed = await call<{ status: string }>(api, 'POST', `/contracts/${contract.body.id}/sign`, {
      token: rep,
      body: { signedBy: 'Dee Cider', signedAt: new Date().toISOString() },
    });
    expect(signed.body.status).toBe('active');
    const won = await call<Opportunity>(api, 'POST', `${path}/stage`, { token: rep, body: { stage: 'won' } });
    expect(won.body).toMatchObject({ stage: 'won', status: 'won', probability: 100 });
    expect((await call<{ lifecycle: string }>(api, 'GET', `/customers/${customer.body.id}`, { token: rep })).body.lifecycle).toBe('customer');

    const history = await call<{ intervals: Array<{ stage: string; exitedAt: string | null }>; changes: unknown[] }>(api, 'GET', `${path}/history`, { token: manager });
    expect(history.body.intervals.map((i) => i.stage)).toEqual(['lead', 'needs_analysis', 'quote', 'negotiation', 'won']);
    expect(history.body.intervals.at(-1)?.exitedAt).toBeNull();
    const timeline = await call<{ items: Array<{ subject: string }> }>(api, 'GET', `${path}/timeline`, { token: manager });
    expect(timeline.body.items.map((a) => a.subject)).toEqual(['First call']);

    const second = await call<Opportunity>(api, 'POST', '/opportunities', {
      token: rep,
      body: { customerId: customer.body.id, name: 'Funnel Corp add-on', expectedCloseDate: '2027-01-31' },
    });
    const noReason = await call<Problem>(api, 'POST', `/opportunities/${second.body.id}/stage`, { token: rep, body: { stage: 'lost' } });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0]?.path).toBe('body.lostReason');
    expect(noReason.body.detail).toMatch(/^A move to lost needs a lost reason: one of /);
    const lost = await call<Opportunity>(api, 'POST', `/opportunities/${second.body.id}/stage`, { token: rep, body: { stage: 'lost', lostReason: 'no_budget' } });
    expect(lost.body).toMatchObject({ status: 'lost', probability: 0 });
    const reopenByRep = await call(api, 'POST', `/opportunities/${second.body.id}/stage`, { token: rep, body: { stage: 'lead', note: 'Budget found' } });
    expect(reopenByRep.status).toBe(403);

    const open = await call<{ items: Opportunity[] }>(api, 'GET', `/opportunities?customer=${customer.body.id}&status=won`, { token: manager });
    expect(open.body.items.map((o) => o.id)).toEqual([created.body.id]);

    // The change feed tells the team all of it, in order (after its one-second settle window).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const feed = await call<{ items: Array<{ type: string; entityId: string }>; nextCursor: string }>(api, 'GET', `/events?since=${since}&limit=200`, { token: manager });
    const dealEvents = feed.body.items.filter((event) => event.entityId === created.body.id).map((event) => event.type);
    expect(dealEvents).toEqual([
      'opportunity.created',
      'opportunity.stage_changed',
      'opportunity.updated',
      'opportunity.stage_changed',
      'opportunity.updated',
      'opportunity.amount_changed',
      'opportunity.stage_changed',
      'opportunity.stage_changed',
      'opportunity.won',
    ]);
    const after = await call<{ items: unknown[] }>(api, 'GET', `/events?since=${feed.body.nextCursor}`, { token: manager });
    expect(after.body.items).toEqual([]);
  });

  it('an admin changes the pipeline; others may only read it', async () => {
    const pipeline = await call<{ stages: Array<{ key: string; name: string; probability: number; exitCriteria: string[] }>; version: number }>(
      api,
      'GET',
      '/pipeline',
      { token: rep },
    );
    const stages = pipeline.body.stages.map((stage) => (stage.key === 'quote' ? { ...stage, probability: 55, exitCriteria: ['amount'] } : stage));
    expect((await call(api, 'PUT', '/pipeline', { token: manager, body: { stages } })).status).toBe(403);
    const saved = await call<{ version: number; stages: Array<{ key: string; probability: number }> }>(api, 'PUT', '/pipeline', {
      token: admin,
      body: { stages },
      headers: { 'if-match': `"${pipeline.body.version}"` },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.stages.find((stage) => stage.key === 'quote')?.probability).toBe(55);
    const unknown = await call<Problem>(api, 'PUT', '/pipeline', { token: admin, body: { stages: [{ key: 'x', name: 'X', probability: 5, exitCriteria: ['magic'] }] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0]?.path).toBe('body.stages.0.exitCriteria.0');
  });
});
