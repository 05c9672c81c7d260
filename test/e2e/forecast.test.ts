/**
 * What the KPI rollup reads from a deal, over HTTP (issue 16): forecast categories per stage (`GET`/`PUT
 * /pipeline`) and per deal (`PATCH /opportunities/{id}` `forecastCategory`), the close-date history, and the
 * exchange rate a won deal keeps. Every response is checked against the documented schemas by `call`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE } from '../../domain/pipeline/rules';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

type Problem = { status: number; errors?: Array<{ path: string; message: string }> };
type Stage = { key: string; forecastCategory: string };
type Pipeline = { stages: Stage[]; terminalStages: Stage[]; version: number };
type Opportunity = {
  id: string;
  version: number;
  forecastCategory: string;
  forecastCategoryOverride?: string;
  closeRate?: { currency: string; rate: string; effectiveFrom: string };
};
type CloseDateHistory = { opportunityId: string; changes: Array<{ id: string; from?: string; to: string; actor: string; at: string }> };

let api: TestApi;
let tokens: { admin: string; finance: string; manager: string; rep: string; otherRep: string; service: string };

beforeAll(async () => {
  api = await startTestApi();
  const tenant = newTenant('forecast');
  tokens = {
    admin: await api.token(tenant, 'admin', 'dana'),
    finance: await api.token(tenant, 'finance', 'fiona'),
    manager: await api.token(tenant, 'manager', 'alice'),
    rep: await api.token(tenant, 'rep', 'bob'),
    otherRep: await api.token(tenant, 'rep', 'carol'),
    service: await api.token(tenant, 'service', 'sam'),
  };
});
afterAll(() => api.close());

async function newDeal(amount = { amount: 1_000_000, currency: 'EUR' }): Promise<Opportunity> {
  const customer = await call<{ id: string }>(api, 'POST', '/customers', { token: tokens.rep, body: { name: `Forecast ${Math.random()}` } });
  const created = await call<Opportunity>(api, 'POST', '/opportunities', {
    token: tokens.rep,
    body: { customerId: customer.body.id, name: 'Forecast deal', expectedCloseDate: '2027-03-31', amount },
  });
  expect(created.status).toBe(201);
  return created.body;
}

describe('forecast categories over HTTP', () => {
  it('GET /pipeline shows the defaults, terminal stages too; PUT /pipeline sets them per stage', async () => {
    const initial = await call<Pipeline>(api, 'GET', '/pipeline', { token: tokens.rep });
    expect(initial.body.stages.map((stage) => stage.forecastCategory)).toEqual(['pipeline', 'pipeline', 'pipeline', 'best_case', 'commit']);
    expect(initial.body.terminalStages.map((stage) => [stage.key, stage.forecastCategory])).toEqual([['won', 'closed'], ['lost', 'omitted']]);

    const bad = await call<Problem>(api, 'PUT', '/pipeline', {
      token: tokens.admin,
      body: { stages: [{ key: 'lead', name: 'Lead', probability: 10, exitCriteria: [], forecastCategory: 'closed' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((issue) => issue.path)).toEqual(['body.stages.0.forecastCategory']);

    // No gates, so a deal can be won here; contacted counts as best case for this tenant, quote keeps its default.
    const stages = DEFAULT_PIPELINE.stages.map(({ forecastCategory: _category, ...stage }) => ({
      ...stage,
      exitCriteria: [],
      ...(stage.key === 'contacted' && { forecastCategory: 'best_case' }),
    }));
    const saved = await call<Pipeline>(api, 'PUT', '/pipeline', { token: tokens.admin, body: { stages } });
    expect(saved.status).toBe(200);
    expect(saved.body.stages.map((stage) => stage.forecastCategory)).toEqual(['pipeline', 'best_case', 'pipeline', 'best_case', 'commit']);
    expect((await call(api, 'PUT', '/pipeline', { token: tokens.manager, body: { stages } })).status).toBe(403);
  });

  it('the owner and managers override a deal\'s category; another rep gets 403; null clears it; a closed deal 409', async () => {
    const deal = await newDeal();
    expect(deal.forecastCategory).toBe('pipeline');
    expect(deal).not.toHaveProperty('forecastCategoryOverride');
    const path = `/opportunities/${deal.id}`;

    const invalid = await call<Problem>(api, 'PATCH', path, { token: tokens.rep, body: { forecastCategory: 'closed' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors?.map((issue) => issue.path)).toEqual(['body.forecastCategory']);

    const byOwner = await call<Opportunity>(api, 'PATCH', path, { token: tokens.rep, body: { forecastCategory: 'commit' }, headers: { 'if-match': '"1"' } });
    expect(byOwner.status).toBe(200);
    expect(byOwner.body).toMatchObject({ forecastCategory: 'commit', forecastCategoryOverride: 'commit', version: 2 });
    expect((await call(api, 'PATCH', path, { token: tokens.otherRep, body: { forecastCategory: 'omitted' } })).status).toBe(403);
    expect((await call(api, 'PATCH', path, { token: tokens.finance, body: { forecastCategory: 'omitted' } })).status).toBe(403);
    const byManager = await call<Opportunity>(api, 'PATCH', path, { token: tokens.manager, body: { forecastCategory: 'omitted' } });
    expect(byManager.body).toMatchObject({ forecastCategory: 'omitted', forecastCategoryOverride: 'omitted' });
    const read = await call<Opportunity>(api, 'GET', path, { token: tokens.service });
    expect(read.body).toMatchObject({ forecastCategory: 'omitted', forecastCategoryOverride: 'omitted' });

    const cleared = await call<Opportunity>(api, 'PATCH', path, { token: tokens.rep, body: { forecastCategory: null } });
    expect(cleared.body.forecastCategory).toBe('pipeline');
    expect(cleared.body).not.toHaveProperty('forecastCategoryOverride');
    // In a stage the tenant counts as best case, the deal is best case.
    await call(api, 'POST', `${path}/stage`, { token: tokens.rep, body: { stage: 'contacted' } });
    expect((await call<Opportunity>(api, 'GET', path, { token: tokens.rep })).body.forecastCategory).toBe('best_case');

    await call(api, 'POST', `${path}/stage`, { token: tokens.rep, body: { stage: 'lost', lostReason: 'price' } });
    const lost = await call<Opportunity>(api, 'GET', path, { token: tokens.rep });
    expect(lost.body.forecastCategory).toBe('omitted');
    const refused = await call<Problem>(api, 'PATCH', path, { token: tokens.manager, body: { forecastCategory: 'commit' } });
    expect(refused.status).toBe(409);
  });
});

describe('close-date history over HTTP', () => {
  it('has the date set at creation and each change, in order; a refused change adds nothing', async () => {
    const deal = await newDeal();
    const path = `/opportunities/${deal.id}`;
    await call(api, 'PATCH', path, { token: tokens.rep, body: { expectedCloseDate: '2027-05-31' } });
    await call(api, 'PATCH', path, { token: tokens.rep, body: { nextStep: 'Demo' } });
    await call(api, 'PATCH', path, { token: tokens.manager, body: { expectedCloseDate: '2027-06-30' } });
    expect((await call(api, 'PATCH', path, { token: tokens.otherRep, body: { expectedCloseDate: '2027-12-31' } })).status).toBe(403);
    expect((await call(api, 'PATCH', path, { token: tokens.rep, body: { expectedCloseDate: '2027-12-31' }, headers: { 'if-match': '"1"' } })).status).toBe(412);

    const history = await call<CloseDateHistory>(api, 'GET', `${path}/close-date-history`, { token: tokens.service });
    expect(history.status).toBe(200);
    expect(history.body.opportunityId).toBe(deal.id);
    expect(history.body.changes.map(({ from, to, actor }) => ({ from, to, actor }))).toEqual([
      { from: undefined, to: '2027-03-31', actor: 'bob' },
      { from: '2027-03-31', to: '2027-05-31', actor: 'bob' },
      { from: '2027-05-31', to: '2027-06-30', actor: 'alice' },
    ]);
    expect((await call(api, 'GET', '/opportunities/01ARZ3NDEKTSV4RRFFQ69G5FAV/close-date-history', { token: tokens.rep })).status).toBe(404);
  });
});

describe('the close rate over HTTP', () => {
  it('is frozen when the deal is won in a foreign currency, survives a later rate, and is cleared on reopen', async () => {
    // Rates far in the past are in effect today, whatever day the test runs on.
    const rates = (rate: string, effectiveFrom: string) => ({ rates: [{ currency: 'USD', rate, effectiveFrom }] });
    expect((await call(api, 'PUT', '/exchange-rates', { token: tokens.finance, body: rates('0.9130', '2020-01-01') })).status).toBe(200);
    const deal = await newDeal({ amount: 250_000, currency: 'USD' });
    const path = `/opportunities/${deal.id}`;
    await call(api, 'POST', `${path}/stage`, { token: tokens.rep, body: { stage: 'negotiation' } });
    const won = await call<Opportunity>(api, 'POST', `${path}/stage`, { token: tokens.rep, body: { stage: 'won' } });
    expect(won.status).toBe(200);
    const frozen = { currency: 'USD', rate: '0.9130', effectiveFrom: '2020-01-01' };
    expect(won.body).toMatchObject({ forecastCategory: 'closed', closeRate: frozen });

    expect((await call(api, 'PUT', '/exchange-rates', { token: tokens.finance, body: rates('0.8000', '2020-01-01') })).status).toBe(200);
    expect((await call(api, 'PUT', '/exchange-rates', { token: tokens.finance, body: rates('0.8500', '2020-06-01') })).status).toBe(200);
    expect((await call<Opportunity>(api, 'GET', path, { token: tokens.rep })).body.closeRate).toEqual(frozen);

    const reopened = await call<Opportunity>(api, 'POST', `${path}/stage`, { token: tokens.manager, body: { stage: 'negotiation', note: 'Signed by the wrong entity' } });
    expect(reopened.status).toBe(200);
    expect(reopened.body).not.toHaveProperty('closeRate');
    expect(reopened.body.forecastCategory).toBe('commit');
    const wonAgain = await call<Opportunity>(api, 'POST', `${path}/stage`, { token: tokens.rep, body: { stage: 'won' } });
    expect(wonAgain.body.closeRate).toEqual({ currency: 'USD', rate: '0.8500', effectiveFrom: '2020-06-01' });

    const inEuro = await newDeal();
    await call(api, 'POST', `/opportunities/${inEuro.id}/stage`, { token: tokens.rep, body: { stage: 'negotiation' } });
    const wonInEuro = await call<Opportunity>(api, 'POST', `/opportunities/${inEuro.id}/stage`, { token: tokens.rep, body: { stage: 'won' } });
    expect(wonInEuro.body).not.toHaveProperty('closeRate');
  });
});
