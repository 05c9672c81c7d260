/**
 * Teams, targets and forecast calls over HTTP (issue 16): a user in at most one team (a 409 naming the member and
 * the team, a member moved by removing then adding), targets set, removed and read by role, a rep's forecast
 * submission and a manager's adjustment kept apart, and bad inputs naming their fields. The functions the KPI
 * rollup and reports call (readTeam, listAllTeams, teamOfUser, targetsOf, forecastCallsOf) read what was written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecastCallsOf, targetsOf } from '../../domain/analytics';
import { listAllTeams, readTeam, teamOfUser } from '../../domain/directory';
import type { Deps } from '../../domain/shared/ports';
import { createDeps } from '../../functions/shared/runtime';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

type Problem = { errors?: Array<{ path: string; message: string }>; member?: string; team?: string; detail: string };
interface Team {
  id: string;
  name: string;
  manager: string;
  members: string[];
  version: number;
}
interface Targets {
  period: string;
  baseCurrency: string;
  targets: Array<{ scope: string; id: string; metric: string; value: unknown; updatedBy: string }>;
}
interface Call {
  commit: { amount: number; currency: string };
  bestCase: { amount: number; currency: string };
  note?: string;
  version: number;
}
interface Calls {
  calls: Array<{ userId: string; submission: (Call & { submittedBy: string }) | null; adjustment: (Call & { adjustedBy: string }) | null }>;
}
interface AuditPage {
  items: Array<{ entityType: string; parentId?: string; action: string; actor: string; changes: Record<string, { from?: unknown; to?: unknown }> }>;
}

let api: TestApi;
let deps: Deps;
const tenant = newTenant('teams');
const tokens: Record<'dana' | 'mia' | 'max' | 'rita' | 'sam' | 'fiona' | 'stella', string> = { dana: '', mia: '', max: '', rita: '', sam: '', fiona: '', stella: '' };
const eur = (amount: number) => ({ amount, currency: 'EUR' });
const paths = (problem: Problem) => (problem.errors ?? []).map((issue) => issue.path);

beforeAll(async () => {
  api = await startTestApi();
  deps = createDeps({ tableName: process.env.TABLE_NAME as string, endpoint: process.env.DYNAMODB_ENDPOINT });
  tokens.dana = await api.token(tenant, 'admin', 'dana');
  tokens.mia = await api.token(tenant, 'manager', 'mia');
  tokens.max = await api.token(tenant, 'manager', 'max');
  tokens.rita = await api.token(tenant, 'rep', 'rita');
  tokens.sam = await api.token(tenant, 'rep', 'sam');
  tokens.fiona = await api.token(tenant, 'finance', 'fiona');
  tokens.stella = await api.token(tenant, 'service', 'stella');
});
afterAll(() => api.close());

const putTeam = (token: string, teamId: string, body: unknown, headers?: Record<string, string>) =>
  call<Team & Problem>(api, 'PUT', `/teams/${teamId}`, { token, body, headers });

describe('teams', () => {
  it('an admin creates a team; a member of it cannot join another (409 naming member and team, nothing written) until removed', async () => {
    const east = await putTeam(tokens.dana, 'east', { name: 'East', manager: 'mia', members: ['rita', 'sam'] });
    expect(east.status, JSON.stringify(east.body)).toBe(200);
    expect(east.body).toMatchObject({ id: 'east', name: 'East', manager: 'mia', members: ['rita', 'sam'], version: 1 });
    expect(east.headers.get('etag')).toBe('"1"');

    // Max's new team wants rita, who is in east.
    const taken = await putTeam(tokens.max, 'west', { name: 'West', manager: 'max', members: ['tom', 'rita'] });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ member: 'rita', team: 'east' });
    expect(taken.body.detail).toContain('rita is a member of team east');
    expect((await call(api, 'GET', '/teams/west', { token: tokens.max })).status).toBe(404);
    expect(await teamOfUser(deps, tenant, 'tom')).toBeNull();

    // Mia lets rita go (with If-Match; a stale one is a 412), then max takes her.
    expect((await putTeam(tokens.mia, 'east', { name: 'East', manager: 'mia', members: ['sam'] }, { 'if-match': '"7"' })).status).toBe(412);
    const released = await putTeam(tokens.mia, 'east', { name: 'East', manager: 'mia', members: ['sam'] }, { 'if-match': '"1"' });
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(released.body).toMatchObject({ members: ['sam'], version: 2 });
    expect(await teamOfUser(deps, tenant, 'rita')).toBeNull();
    const west = await putTeam(tokens.max, 'west', { name: 'West', manager: 'max', members: ['tom', 'rita'] });
    expect(west.status, JSON.stringify(west.body)).toBe(200);
    expect(await teamOfUser(deps, tenant, 'rita')).toBe('west');
    expect(await teamOfUser(deps, tenant, 'sam')).toBe('east');

    // The same PUT again changes nothing (no new version).
    expect((await putTeam(tokens.max, 'west', { name: 'West', manager: 'max', members: ['tom', 'rita'] })).body.version).toBe(1);

    // Audit from → to, and the event says who joined and who left.
    const audit = await call<AuditPage>(api, 'GET', '/audit?entityId=east', { token: tokens.mia });
    expect(audit.body.items.map((entry) => [entry.action, entry.actor])).toEqual([
      ['create', 'dana'],
      ['update', 'mia'],
    ]);
    expect(audit.body.items[1]?.changes).toEqual({ members: { from: ['rita', 'sam'], to: ['sam'] } });
    const { data: events } = await deps.db.entities.domainEvent.query.feed({ tenantId: tenant }).go({ pages: 'all' });
    const teamEvents = events.filter((event) => event.type === 'team.updated').map((event) => event.data);
    expect(teamEvents).toEqual([
      { teamId: 'east', manager: 'mia', membersAdded: ['rita', 'sam'], membersRemoved: [] },
      { teamId: 'east', manager: 'mia', membersAdded: [], membersRemoved: ['rita'] },
      { teamId: 'west', manager: 'max', membersAdded: ['tom', 'rita'], membersRemoved: [] },
    ]);
  });

  it("a manager keeps only teams they manage, as their manager; others' teams are an admin's", async () => {
    const notTheirs = await putTeam(tokens.mia, 'west', { name: 'West', manager: 'max', members: ['tom'] });
    expect(notTheirs.status).toBe(403);
    const handOver = await putTeam(tokens.mia, 'north', { name: 'North', manager: 'max', members: [] });
    expect(handOver.status).toBe(403);
    expect(paths(handOver.body)).toEqual(['body.manager']);
    const byAdmin = await putTeam(tokens.dana, 'north', { name: 'North', manager: 'max', members: [] });
    expect(byAdmin.status).toBe(200);
    expect((await putTeam(tokens.rita, 'south', { name: 'South', manager: 'rita', members: [] })).status).toBe(403);
  });

  it('are read by sales roles and finance, one or a page, not by service', async () => {
    for (const token of [tokens.rita, tokens.fiona, tokens.mia]) {
      const page = await call<{ items: Team[]; nextCursor: string | null }>(api, 'GET', '/teams', { token });
      expect(page.status).toBe(200);
      expect(page.body.items.map((team) => team.id)).toEqual(['east', 'north', 'west']);
    }
    const first = await call<{ items: Team[]; nextCursor: string | null }>(api, 'GET', '/teams?limit=2', { token: tokens.rita });
    const rest = await call<{ items: Team[]; nextCursor: string | null }>(api, 'GET', `/teams?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`, { token: tokens.rita });
    expect([...first.body.items, ...rest.body.items].map((team) => team.id)).toEqual(['east', 'north', 'west']);
    const one = await call<Team>(api, 'GET', '/teams/west', { token: tokens.rita });
    expect(one.body).toMatchObject({ id: 'west', manager: 'max', members: ['tom', 'rita'] });
    expect(one.headers.get('etag')).toBe('"1"');
    expect((await call(api, 'GET', '/teams', { token: tokens.stella })).status).toBe(403);
    expect((await call(api, 'GET', '/teams/east', { token: tokens.stella })).status).toBe(403);

    expect(await readTeam(deps, tenant, 'west')).toMatchObject({ id: 'west', members: ['tom', 'rita'] });
    expect(await readTeam(deps, tenant, 'nowhere')).toBeNull();
    expect((await listAllTeams(deps, tenant)).map((team) => team.id)).toEqual(['east', 'north', 'west']);
  });

  it('two teams claiming the same user at once: one gets them, the other is a 409, and the guard agrees', async () => {
    const claims = await Promise.all(
      ['alpha', 'beta'].map((teamId) => putTeam(tokens.dana, teamId, { name: teamId, manager: 'max', members: ['zed', `${teamId}-rep`] })),
    );
    expect(claims.map((claim) => claim.status).sort()).toEqual([200, 409]);
    const winner = claims.find((claim) => claim.status === 200)?.body.id;
    const loser = winner === 'alpha' ? 'beta' : 'alpha';
    expect(claims.find((claim) => claim.status === 409)?.body).toMatchObject({ member: 'zed', team: winner });
    expect(await teamOfUser(deps, tenant, 'zed')).toBe(winner);
    // Nothing of the refused team was written: neither the team nor its other member's guard.
    expect(await readTeam(deps, tenant, loser)).toBeNull();
    expect(await teamOfUser(deps, tenant, `${loser}-rep`)).toBeNull();
  });

  it('bad input names the field: a team id that is no slug, a member twice, too many members, a member id that is no user id', async () => {
    const body = { name: 'X', manager: 'mia', members: [] };
    const badId = await putTeam(tokens.dana, 'East%20Coast', body);
    expect(badId.status).toBe(400);
    expect(paths(badId.body)).toEqual(['path.teamId']);
    const twice = await putTeam(tokens.dana, 'x', { ...body, members: ['ann', 'ann'] });
    expect(twice.status).toBe(400);
    expect(paths(twice.body)).toEqual(['body.members.1']);
    const many = await putTeam(tokens.dana, 'x', { ...body, members: Array.from({ length: 41 }, (_, i) => `user-${i}`) });
    expect(many.status).toBe(400);
    expect(paths(many.body)).toEqual(['body.members']);
    const notUser = await putTeam(tokens.dana, 'x', { ...body, members: ['Ann Smith'] });
    expect(notUser.status).toBe(400);
    expect(paths(notUser.body)).toEqual(['body.members.0']);
    expect((await call(api, 'GET', '/teams/x', { token: tokens.dana })).status).toBe(404);
  });
});

describe('targets', () => {
  const period = 'FY2027-Q1';
  const put = (token: string, targets: unknown[]) => call<Targets & Problem>(api, 'PUT', `/targets/${period}`, { token, body: { targets } });
  const read = (token: string, query = `period=${period}`) => call<Targets & Problem>(api, 'GET', `/targets?${query}`, { token });
  const keys = (view: Targets) => view.targets.map((target) => `${target.scope}:${target.id}:${target.metric}`);

  it('managers set the listed targets of a period; null removes one; the others stay', async () => {
    const set = await put(tokens.mia, [
      { scope: 'rep', id: 'rita', metric: 'revenue_won', value: eur(4_000_000) },
      { scope: 'rep', id: 'sam', metric: 'deals_won', value: 6 },
      { scope: 'team', id: 'east', metric: 'deals_won', value: 10 },
      { scope: 'team', id: 'west', metric: 'activities', value: 400 },
      { scope: 'tenant', metric: 'new_customers', value: 25 },
    ]);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ period, baseCurrency: 'EUR' });
    expect(set.body.targets).toContainEqual(expect.objectContaining({ scope: 'rep', id: 'rita', metric: 'revenue_won', value: eur(4_000_000), updatedBy: 'mia' }));
    expect(set.body.targets).toContainEqual(expect.objectContaining({ scope: 'tenant', id: tenant, metric: 'new_customers', value: 25 }));

    const changed = await put(tokens.dana, [
      { scope: 'rep', id: 'sam', metric: 'deals_won', value: null },
      { scope: 'team', id: 'east', metric: 'deals_won', value: 12 },
    ]);
    expect(changed.status).toBe(200);
    expect(keys(changed.body)).toEqual(['rep:rita:revenue_won', `team:east:deals_won`, 'team:west:activities', `tenant:${tenant}:new_customers`]);
    expect(changed.body.targets.find((target) => target.id === 'east')?.value).toBe(12);

    // What the rollup and reports read: all of them, one query.
    expect((await targetsOf(deps, tenant, period)).map((target) => `${target.scope}:${target.id}:${target.metric}`)).toEqual(keys(changed.body));

    const audit = await call<AuditPage>(api, 'GET', `/audit?entityId=${period}`, { token: tokens.mia });
    const entries = audit.body.items.filter((entry) => entry.entityType === 'targets');
    expect(entries.at(-1)?.changes).toEqual({ 'rep:sam:deals_won': { from: 6 }, 'team:east:deals_won': { from: 10, to: 12 } });
  });

  it('finance and managers read them all; a rep their own, their team’s and the tenant’s; service none', async () => {
    expect(keys((await read(tokens.fiona)).body)).toHaveLength(4);
    // rita is in west: not sam's, not east's.
    expect(keys((await read(tokens.rita)).body)).toEqual(['rep:rita:revenue_won', 'team:west:activities', `tenant:${tenant}:new_customers`]);
    // sam is in east.
    expect(keys((await read(tokens.sam)).body)).toEqual(['team:east:deals_won', `tenant:${tenant}:new_customers`]);
    expect((await read(tokens.stella)).status).toBe(403);
    expect((await put(tokens.rita, [{ scope: 'rep', id: 'rita', metric: 'deals_won', value: 100 }])).status).toBe(403);
    expect((await put(tokens.fiona, [{ scope: 'rep', id: 'rita', metric: 'deals_won', value: 100 }])).status).toBe(403);
  });

  it('bad input names the field, and writes nothing', async () => {
    const before = await targetsOf(deps, tenant, period);
    const badPeriod = await call<Problem>(api, 'PUT', '/targets/FY2027-Q5', { token: tokens.mia, body: { targets: [{ scope: 'tenant', metric: 'deals_won', value: 1 }] } });
    expect(badPeriod.status).toBe(400);
    expect(paths(badPeriod.body)).toEqual(['path.periodId']);
    expect(paths((await read(tokens.mia, 'period=2027-13')).body)).toEqual(['query.period']);

    const cases: Array<[unknown[], number, string[]]> = [
      [[{ scope: 'rep', id: 'rita', metric: 'revenue_won', value: { amount: 100, currency: 'USD' } }], 400, ['body.targets.0.value.currency']],
      [[{ scope: 'rep', id: 'rita', metric: 'revenue_won', value: 100 }], 400, ['body.targets.0.value']],
      [[{ scope: 'rep', id: 'rita', metric: 'deals_won', value: -1 }], 400, ['body.targets.0.value']],
      [[{ scope: 'rep', id: 'rita', metric: 'deals_won', value: 1.5 }], 400, ['body.targets.0.value']],
      [[{ scope: 'rep', id: 'rita', metric: 'deals_won', value: eur(5) }], 400, ['body.targets.0.value']],
      [[{ scope: 'rep', id: 'rita', metric: 'calls_made', value: 5 }], 400, ['body.targets.0.metric']],
      [
        [
          { scope: 'team', id: 'east', metric: 'deals_won', value: 1 },
          { scope: 'team', id: 'east', metric: 'deals_won', value: 2 },
        ],
        400,
        ['body.targets.1'],
      ],
      [[{ scope: 'tenant', id: 'globex', metric: 'deals_won', value: 1 }], 400, ['body.targets.0.id']],
      [
        [
          { scope: 'rep', id: 'rita', metric: 'deals_won', value: 1 },
          { scope: 'team', id: 'nowhere', metric: 'deals_won', value: 1 },
        ],
        422,
        ['body.targets.1.id'],
      ],
    ];
    for (const [targets, status, expected] of cases) {
      const response = await put(tokens.mia, targets);
      expect({ targets, status: response.status, paths: paths(response.body) }).toEqual({ targets, status, paths: expected });
    }
    expect(await targetsOf(deps, tenant, period)).toEqual(before);
  });
});

describe('forecast calls', () => {
  const period = 'FY2027-Q1';
  const submit = (token: string, body: unknown, headers?: Record<string, string>) =>
    call<Call & Problem & { submittedBy: string }>(api, 'PUT', `/forecasts/${period}/me`, { token, body, headers });
  const adjust = (token: string, userId: string, body: unknown) => call<Call & Problem & { adjustedBy: string }>(api, 'PUT', `/forecasts/${period}/adjustments/${userId}`, { token, body });
  const read = (token: string) => call<Calls & Problem>(api, 'GET', `/forecasts/${period}`, { token });

  it("a rep's submission and a manager's adjustment are kept apart, each with its history", async () => {
    const submitted = await submit(tokens.rita, { commit: eur(100_000), bestCase: eur(150_000), note: 'Two deals in negotiation' });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body).toMatchObject({ commit: eur(100_000), bestCase: eur(150_000), submittedBy: 'rita', version: 1 });
    expect(submitted.headers.get('etag')).toBe('"1"');

    const adjusted = await adjust(tokens.mia, 'rita', { commit: eur(80_000), bestCase: eur(150_000), note: 'Globex slips to Q2' });
    expect(adjusted.status, JSON.stringify(adjusted.body)).toBe(200);
    expect(adjusted.body).toMatchObject({ commit: eur(80_000), adjustedBy: 'mia', version: 1 });

    // The rep raises her call: the adjustment stays as the manager left it.
    expect((await submit(tokens.rita, { commit: eur(110_000), bestCase: eur(150_000) }, { 'if-match': '"1"' })).status).toBe(200);
    expect((await submit(tokens.rita, { commit: eur(120_000), bestCase: eur(150_000) }, { 'if-match': '"1"' })).status).toBe(412);
    expect((await submit(tokens.sam, { commit: eur(50_000), bestCase: eur(50_000) })).status).toBe(200);

    const mine = await read(tokens.rita);
    expect(mine.body.calls).toEqual([
      {
        userId: 'rita',
        submission: expect.objectContaining({ commit: eur(110_000), bestCase: eur(150_000), submittedBy: 'rita', version: 2 }),
        adjustment: expect.objectContaining({ commit: eur(80_000), note: 'Globex slips to Q2', adjustedBy: 'mia', version: 1 }),
      },
    ]);
    expect(mine.body.calls[0]?.submission?.note).toBeUndefined();
    for (const token of [tokens.mia, tokens.fiona]) {
      const all = await read(token);
      expect(all.body.calls.map((entry) => [entry.userId, entry.submission?.commit.amount, entry.adjustment?.commit.amount ?? null])).toEqual([
        ['rita', 110_000, 80_000],
        ['sam', 50_000, null],
      ]);
    }
    expect((await forecastCallsOf(deps, tenant, period)).map((entry) => entry.userId)).toEqual(['rita', 'sam']);

    const audit = await call<AuditPage>(api, 'GET', `/audit?entityId=${period}`, { token: tokens.mia });
    const ritas = audit.body.items.filter((entry) => entry.parentId === 'rita').map((entry) => [entry.entityType, entry.action, entry.actor, entry.changes]);
    expect(ritas).toEqual([
      ['forecastSubmission', 'create', 'rita', { commit: { to: eur(100_000) }, bestCase: { to: eur(150_000) }, note: { to: 'Two deals in negotiation' } }],
      ['forecastAdjustment', 'create', 'mia', { commit: { to: eur(80_000) }, bestCase: { to: eur(150_000) }, note: { to: 'Globex slips to Q2' } }],
      ['forecastSubmission', 'update', 'rita', { commit: { from: eur(100_000), to: eur(110_000) }, note: { from: 'Two deals in negotiation' } }],
    ]);
  });

  it('who may: sellers submit their own, managers and admins adjust others’ (never their own), service reads nothing', async () => {
    const body = { commit: eur(1_000), bestCase: eur(2_000) };
    expect((await submit(tokens.fiona, body)).status).toBe(403);
    expect((await submit(tokens.stella, body)).status).toBe(403);
    expect((await submit(tokens.mia, body)).status).toBe(200);
    expect((await adjust(tokens.mia, 'mia', body)).status).toBe(403);
    expect((await adjust(tokens.dana, 'mia', body)).status).toBe(200);
    expect((await adjust(tokens.rita, 'sam', body)).status).toBe(403);
    expect((await read(tokens.stella)).status).toBe(403);
  });

  it('bad input names the field', async () => {
    const below = await submit(tokens.rita, { commit: eur(200), bestCase: eur(100) });
    expect(below.status).toBe(400);
    expect(paths(below.body)).toEqual(['body.bestCase']);
    const dollars = await submit(tokens.rita, { commit: { amount: 100, currency: 'USD' }, bestCase: eur(100) });
    expect(paths(dollars.body)).toEqual(['body.commit.currency']);
    const noBest = await submit(tokens.rita, { commit: eur(100) });
    expect(paths(noBest.body)).toEqual(['body.bestCase']);
    const cents = await submit(tokens.rita, { commit: { amount: 1.5, currency: 'EUR' }, bestCase: eur(100) });
    expect(paths(cents.body)).toEqual(['body.commit.amount']);
    const badPeriod = await call<Problem>(api, 'PUT', '/forecasts/Q1-2027/me', { token: tokens.rita, body: { commit: eur(1), bestCase: eur(1) } });
    expect(badPeriod.status).toBe(400);
    expect(paths(badPeriod.body)).toEqual(['path.periodId']);
    const badUser = await call<Problem>(api, 'PUT', `/forecasts/${period}/adjustments/Rita%20S`, { token: tokens.mia, body: { commit: eur(1), bestCase: eur(1) } });
    expect(paths(badUser.body)).toEqual(['path.userId']);
    expect(paths((await call<Problem>(api, 'GET', '/forecasts/2027-W54', { token: tokens.mia })).body)).toEqual(['path.periodId']);
  });
});
