/**
 * The SLA policy over HTTP (issue 17, first part): the default a new tenant runs on, an admin's replacement (its
 * calendar and targets checked field by field), optimistic concurrency, and the after-sales settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../../domain/care';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

type Problem = { errors: Array<{ path: string; message: string }> };
interface Policy {
  calendar: { timezone: string; hours: Record<string, [string, string][]>; holidays: string[] };
  targets: Record<string, { firstResponseMinutes: number; resolutionMinutes: number; businessHours: boolean }>;
  atRiskPercent: number;
  escalateTo: { role: string };
  version: number;
  updatedBy?: string;
}

let api: TestApi;
let tokens: { admin: string; manager: string; service: string };
const tenant = newTenant('sla');

beforeAll(async () => {
  api = await startTestApi();
  tokens = {
    admin: await api.token(tenant, 'admin', 'dana'),
    manager: await api.token(tenant, 'manager', 'alice'),
    service: await api.token(tenant, 'service', 'sam'),
  };
});
afterAll(() => api.close());

const berlin = {
  ...DEFAULT_SLA_POLICY,
  calendar: {
    timezone: 'Europe/Berlin',
    hours: { mon: [['09:00', '12:00'], ['13:00', '17:00']], tue: [['09:00', '17:00']], fri: [['09:00', '15:00']] },
    holidays: ['2026-12-25', '2026-12-24', '2026-12-25'],
  },
};

describe('the SLA policy', () => {
  it('is the default until an admin saves one; service and managers read it', async () => {
    const read = await call<Policy>(api, 'GET', '/sla-policies', { token: tokens.service });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...DEFAULT_SLA_POLICY, version: 0 });
    expect(read.body.targets.urgent).toEqual({ firstResponseMinutes: 60, resolutionMinutes: 240, businessHours: false });
  });

  it('is replaced by an admin only, with holidays each once in order, and If-Match guarding a replace', async () => {
    expect((await call(api, 'PUT', '/sla-policies', { token: tokens.manager, body: berlin })).status).toBe(403);
    const saved = await call<Policy>(api, 'PUT', '/sla-policies', { token: tokens.admin, body: berlin });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 1, updatedBy: 'dana', calendar: { timezone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25'] } });
    expect(saved.headers.get('etag')).toBe('"1"');

    const stale = await call(api, 'PUT', '/sla-policies', { token: tokens.admin, body: berlin, headers: { 'if-match': '"0"' } });
    expect(stale.status).toBe(412);
    const read = await call<Policy>(api, 'GET', '/sla-policies', { token: tokens.manager });
    expect(read.body.calendar.hours.mon).toEqual([['09:00', '12:00'], ['13:00', '17:00']]);
  });

  it('refuses a calendar that cannot be counted, naming each field', async () => {
    const bad = await call<Problem>(api, 'PUT', '/sla-policies', {
      token: tokens.admin,
      body: {
        ...DEFAULT_SLA_POLICY,
        calendar: { timezone: 'Mars/Olympus', hours: { mon: [['17:00', '09:00']], tue: [['25:00', '26:00']] }, holidays: ['2026-02-30'] },
        atRiskPercent: 100,
      },
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.errors.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['body.calendar.timezone', 'body.calendar.hours.tue.0.0', 'body.calendar.holidays.0', 'body.atRiskPercent']));

    const closed = await call<Problem>(api, 'PUT', '/sla-policies', {
      token: tokens.admin,
      body: { ...DEFAULT_SLA_POLICY, calendar: { timezone: 'UTC', hours: {}, holidays: [] } },
    });
    expect(closed.status).toBe(400);
    expect(closed.body.errors).toEqual([expect.objectContaining({ path: 'body.calendar.hours' })]);
  });
});

describe('the after-sales settings', () => {
  it('default to a 7-day reopen window, 90-day renewal window, 30-day check-in, NPS after 14 days and 30-day survey links', async () => {
    const settings = await call<{ customerCare: Record<string, number> }>(api, 'GET', '/settings', { token: tokens.service });
    expect(settings.body.customerCare).toEqual({ reopenWindowDays: 7, renewalWindowDays: 90, checkInAfterDays: 30, npsAfterDays: 14, surveyValidDays: 30 });
    const saved = await call<{ customerCare: Record<string, number> } & Problem>(api, 'PUT', '/settings', {
      token: tokens.admin,
      body: { baseCurrency: 'EUR', lostReasons: ['price'], customerCare: { reopenWindowDays: 3, renewalWindowDays: 60, checkInAfterDays: 21, npsAfterDays: 7, surveyValidDays: 0 } },
    });
    expect(saved.status).toBe(400);
    expect(saved.body.errors.map((issue) => issue.path)).toEqual(['body.customerCare.surveyValidDays']);
  });
});
