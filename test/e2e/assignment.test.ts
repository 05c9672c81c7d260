/** Assignment over HTTP: rules, strategies under concurrency, fallback, reassignment with a reason. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

type Customer = { id: string; owner: string; version: number };
type Opportunity = { id: string; owner: string };

async function team(label: string, reps: Record<string, { experience?: string; industries?: string[]; territory?: string; maxOpenLeads?: number; paused?: boolean }>) {
  const tenant = newTenant(label);
  const admin = await api.token(tenant, 'admin', 'dana');
  const manager = await api.token(tenant, 'manager', 'alice');
  const rep = await api.token(tenant, 'rep', 'bob');
  for (const [userId, profile] of Object.entries(reps)) {
    const saved = await call(api, 'PUT', `/reps/${userId}`, {
      token: manager,
      body: {
        experience: profile.experience ?? 'mid',
        skills: { industries: profile.industries ?? [] },
        ...(profile.territory && { territory: profile.territory }),
        capacity: { maxOpenOpportunities: 100, maxOpenLeads: profile.maxOpenLeads ?? 1000 },
        ...(profile.paused && { availability: { status: 'paused' } }),
      },
    });
    expect(saved.status).toBe(200);
  }
  return { tenant, admin, manager, rep };
}

const setRules = async (admin: string, rules: unknown[], fallbackOwner = 'alice') => {
  const saved = await call(api, 'PUT', '/assignment-rules', { token: admin, body: { rules, fallbackOwner } });
  expect(saved.status).toBe(200);
};

/**
 * Runs `count` calls, `concurrency` at a time: parallel, within what DynamoDB Local's transaction lock sustains on
 * a loaded machine (it gives up with "this request will succeed in actual DynamoDB API").
 */
async function inParallel<T>(count: number, concurrency: number, call: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < count; index = next++) results[index] = await call(index);
    }),
  );
  return results;
}

const countBy = (owners: string[]) => owners.reduce<Record<string, number>>((counts, owner) => ({ ...counts, [owner]: (counts[owner] ?? 0) + 1 }), {});

describe('assignment over HTTP', () => {
  it('round robin: 100 leads created in parallel are spread evenly', { timeout: 120_000 }, async () => {
    const t = await team('rr', { ann: {}, ben: {}, cal: {}, dee: {}, eve: {} });
    await setRules(t.admin, [{ name: 'Inbound', strategy: 'round_robin' }]);
    const created = await inParallel(100, 20, (index) =>
      call<Customer>(api, 'POST', '/customers', { token: t.rep, body: { name: `Lead ${index}`, owner: 'auto' } }),
    );
    expect(created.filter((response) => response.status !== 201).map((response) => [response.status, response.body])).toEqual([]);
    expect(countBy(created.map((response) => response.body.owner))).toEqual({ ann: 20, ben: 20, cal: 20, dee: 20, eve: 20 });
  });

  it('least loaded: the least loaded rep takes the next lead; a parallel burst levels the reps', { timeout: 120_000 }, async () => {
    const t = await team('ll', { ann: {}, ben: {}, cal: {} });
    await setRules(t.admin, [{ name: 'Inbound', strategy: 'least_loaded' }]);
    for (const owner of ['ann', 'ann', 'ben']) await call(api, 'POST', '/customers', { token: t.manager, body: { name: `Own ${Math.random()}`, owner } });
    // One at a time the strategy is exact: cal (0), then cal and ben (1 each) in turn, until all are level.
    const sequential: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      sequential.push((await call<Customer>(api, 'POST', '/customers', { token: t.rep, body: { name: `Seq ${index}`, owner: 'auto' } })).body.owner);
    }
    expect(sequential[0]).toBe('cal');
    expect(countBy(sequential)).toEqual({ ben: 1, cal: 2, ann: 1 });
    // A parallel burst: each request replays the turns in flight since it read the loads (strategies.pickInTurn).
    // Requests that read a load already including some of those turns count them twice, so the reps end close to
    // level rather than exactly level: nobody ends with less than 60% of the most loaded rep's work.
    const burst = await inParallel(45, 15, (index) =>
      call<Customer>(api, 'POST', '/customers', { token: t.rep, body: { name: `Lead ${index}`, owner: 'auto' } }),
    );
    const shares = countBy(burst.map((response) => response.body.owner));
    const finalLoads = { ann: 3 + (shares.ann ?? 0), ben: 2 + (shares.ben ?? 0), cal: 2 + (shares.cal ?? 0) };
    const most = Math.max(...Object.values(finalLoads));
    for (const load of Object.values(finalLoads)) expect(load, JSON.stringify(finalLoads)).toBeGreaterThanOrEqual(0.6 * most);
    expect(Object.values(shares).reduce((a, b) => a + b, 0)).toBe(45);
  });

  it('best match: the industry expert gets the deal, a large one the senior rep; conditions pick the rule', async () => {
    const t = await team('bm', { junior: { experience: 'junior', industries: ['software'] }, senior: { experience: 'senior' }, emea: { territory: 'emea' } });
    await setRules(t.admin, [
      { name: 'EMEA', when: { territories: ['emea'] }, reps: ['emea'], strategy: 'round_robin' },
      { name: 'Deals', appliesTo: ['opportunity'], reps: ['junior', 'senior'], strategy: 'best_match', largeDealAmount: { amount: 10_000_000, currency: 'EUR' } },
    ]);
    const customer = await call<Customer>(api, 'POST', '/customers', { token: t.rep, body: { name: 'Softco', industry: 'software' } });
    const small = await call<Opportunity>(api, 'POST', '/opportunities', {
      token: t.rep,
      body: { customerId: customer.body.id, name: 'Pilot', owner: 'auto', amount: { amount: 500_000, currency: 'EUR' }, expectedCloseDate: '2030-06-30' },
    });
    expect(small.status).toBe(201);
    expect(small.body.owner).toBe('junior');
    const large = await call<Opportunity>(api, 'POST', '/opportunities', {
      token: t.rep,
      body: { customerId: customer.body.id, name: 'Rollout', owner: 'auto', amount: { amount: 25_000_000, currency: 'EUR' }, expectedCloseDate: '2030-06-30' },
    });
    expect(large.body.owner).toBe('senior');
    const emea = await call<Customer>(api, 'POST', '/customers', { token: t.rep, body: { name: 'Eurofirm', territory: 'emea', owner: 'auto' } });
    expect(emea.body.owner).toBe('emea');
    const inbox = await call<{ items: Array<{ type: string; subject: { id: string } }> }>(api, 'GET', '/me/notifications', {
      token: await api.token(t.tenant, 'rep', 'senior'),
    });
    expect(inbox.body.items.map((n) => [n.type, n.subject.id])).toEqual([['opportunity.assigned', large.body.id]]);
  });

  it('nobody fits: paused and full reps are skipped; the fallback owner gets it and managers are told', async () => {
    const t = await team('fb', { away: { paused: true }, full: { maxOpenLeads: 0 } });
    await setRules(t.admin, [{ name: 'Inbound', strategy: 'least_loaded' }], 'dana');
    const lead = await call<Customer>(api, 'POST', '/customers', { token: t.rep, body: { name: 'Orphan Inc', owner: 'auto' } });
    expect(lead.body.owner).toBe('dana');
    const told = await call<{ items: Array<{ type: string; audience: string; subject: { id: string } }> }>(api, 'GET', '/me/notifications', { token: t.manager });
    expect(told.body.items.find((n) => n.subject.id === lead.body.id)).toMatchObject({ type: 'assignment.fallback', audience: 'role:manager' });
  });

  it('a manager reassigns with a reason, or re-runs the rules; reps may not', async () => {
    const t = await team('re', { ann: {}, ben: {} });
    await setRules(t.admin, [{ name: 'Inbound', reps: ['ben'], strategy: 'round_robin' }]);
    const lead = await call<Customer>(api, 'POST', '/customers', { token: t.rep, body: { name: 'Movable Ltd' } });
    expect(lead.body.owner).toBe('bob');
    expect((await call(api, 'POST', `/customers/${lead.body.id}/assign`, { token: t.rep, body: { owner: 'ann', reason: 'Mine now' } })).status).toBe(403);
    const given = await call<Customer>(api, 'POST', `/customers/${lead.body.id}/assign`, { token: t.manager, body: { owner: 'ann', reason: 'Ann speaks German' } });
    expect(given.body.owner).toBe('ann');
    const rerun = await call<Customer>(api, 'POST', `/customers/${lead.body.id}/assign`, { token: t.manager, body: { reason: 'Ann is on leave' } });
    expect(rerun.body.owner).toBe('ben');
    const audit = await call<{ items: Array<{ action: string; changes: { reason?: { to: string }; owner?: { from: string; to: string } } }> }>(
      api,
      'GET',
      `/audit?entityId=${lead.body.id}`,
      { token: t.manager },
    );
    const assigns = audit.body.items.filter((entry) => entry.action === 'assign');
    expect(assigns.map((entry) => [entry.changes.owner?.to, entry.changes.reason?.to])).toEqual([
      ['ann', 'Ann speaks German'],
      ['ben', 'Ann is on leave — rule "Inbound" (round_robin)'],
    ]);
  });
});
