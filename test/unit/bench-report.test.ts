import { describe, expect, it } from 'vitest';
import { buildReport, isSingleItemRoute } from '../../bench/lib/report';

const summary = (p50: number, p99: number) => ({ count: 10, p50, p99, min: p50, max: p99, mean: p50 });

describe('the bench report', () => {
  const report = buildReport({
    machine: 'test machine',
    date: '2030-01-01T00:00:00.000Z',
    sizes: { small: 10, large: 100 },
    seededItems: 1234,
    phases: { seeding: 90, total: 280 },
    latency: [
      { route: 'GET /customers/{id}', id: 'getCustomer', handler: summary(1.2, 2.5), floor: summary(1, 1), requests: 1, commands: ['GetItem'], capacity: 1 },
      { route: 'GET /customers', id: 'listCustomers', handler: summary(2, 3), floor: summary(1, 1), requests: 3, commands: ['Query', 'Query', 'GetItem'], capacity: 2 },
      { route: 'POST /customers', id: 'createCustomer', handler: summary(5, 6), floor: summary(4.5, 5), requests: 2, commands: ['GetItem', 'TransactWriteItems'], capacity: 10 },
      { route: 'PATCH /customers/{id}', id: 'updateCustomer', handler: summary(9, 16), floor: summary(4, 5), requests: 2, commands: ['GetItem', 'TransactWriteItems'], capacity: 10 },
      { route: 'POST /quotes/{id}/send', id: 'sendQuote', skipped: 'not repeatable (succeeds once per record)' },
    ],
    scale: [
      {
        route: 'GET /customers?limit=50',
        small: { route: 'GET /customers?limit=50', id: 'listCustomers', handler: summary(4, 5), requests: 1, capacity: 2 },
        large: { route: 'GET /customers?limit=50', id: 'listCustomers', handler: summary(4.4, 5), requests: 1, capacity: 2 },
      },
      {
        route: 'GET /reps',
        small: { route: 'GET /reps', id: 'listReps', handler: summary(4, 5), floor: summary(3, 4), requests: 11, capacity: 2 },
        large: { route: 'GET /reps', id: 'listReps', handler: summary(8, 9), floor: summary(6, 7), requests: 31, capacity: 20 },
      },
    ],
    jobs: [
      { job: 'reminders', tenant: 'small', changes: 40, ms: 100, requests: 120, handled: 40 },
      { job: 'reminders', tenant: 'large', changes: 40, ms: 110, requests: 120, handled: 40 },
      { job: 'reminders', tenant: 'large', changes: 80, ms: 200, requests: 240, handled: 80 },
    ],
    http: [{ connections: 8, requestsPerSecond: 512.4, p50: 12, p90: 20, p99: 41, max: 80, requests: 4100, non2xx: 0, errors: 0, timeouts: 0 }],
    coldStarts: { floorMs: 10, sdkFloorMs: 20, sdkFloorBytes: 300 * 1024, stackParts: [{ name: '(+ zod)', entry: 'z.ts', bytes: 400 * 1024, initMs: 24 }], functions: [{ name: 'customers', entry: 'x.ts', bytes: 200 * 1024, initMs: 27 }] },
  });
  const verdicts = Object.fromEntries(report.json.routes.map((route) => [route.id, route.verdicts]));

  it('judges each figure against its budget; the handler budgets apply to single-item routes', () => {
    expect(verdicts.getCustomer).toEqual({ handlerP50: 'met', addedP99: 'met', requests: 'met' });
    expect(verdicts.listCustomers).toEqual({ handlerP50: 'no budget', addedP99: 'no budget', requests: 'not met' });
    // A write is judged by its transactions: one, plus the reads it needs.
    expect(verdicts.createCustomer).toEqual({ handlerP50: 'no budget', addedP99: 'no budget', requests: 'met' });
    expect(verdicts.updateCustomer).toEqual({ handlerP50: 'not met', addedP99: 'not met', requests: 'met' });
    expect(verdicts.sendQuote).toEqual({ handlerP50: 'not measured', addedP99: 'not measured', requests: 'not measured' });
    expect(report.json.coldStart.functions[0]?.verdicts).toEqual({ bundle: 'met', coldInit: 'not met' });
  });

  it('compares collection reads and jobs between the two sizes', () => {
    expect(report.json.scale.map((row) => row.verdicts)).toEqual([
      { time: 'met', requests: 'met' },
      { time: 'not met', requests: 'not met' },
    ]);
    expect(report.json.scale[0]?.floorRatio).toBeUndefined();
    expect(report.json.scale[1]?.floorRatio).toBe(2);
    expect(report.json.jobs.map((row) => row.verdict)).toEqual(['no budget', 'met', 'no budget']);
  });

  it('prints one table row per route, collection read, job, load level and function', () => {
    expect(report.markdown).toContain('| GET /customers/{id} | 1.20 | 2.50 | 1.00 | 1.00 | 1.2× | 1 (GetItem) | 1 | p50 met; p99 met; requests met |');
    expect(report.markdown).toContain('| POST /quotes/{id}/send | – | – | – | – | – | – | – | not measured: not repeatable (succeeds once per record) |');
    expect(report.markdown).toContain('| GET /reps | 4.00 | 11 | 8.00 | 31 | 2 → 20 | 2× | 2× | time not met; requests not met |');
    expect(report.markdown).toContain('| reminders | large (100) | 40 | 110 ms | 120 | 40 | 1.1× | met |');
    expect(report.markdown).toContain('| 8 | 512 | 12.0 | 20.0 | 41.0 | 80.0 | 4100 | 0 | 0 |');
    expect(report.markdown).toContain('| customers | 200 KB | 27.0 ms | 2.7× | 1.35× | bundle met; init not met |');
    expect(report.markdown).toContain('| (+ zod) | 400 KB | 24.0 ms | 1.2× |');
  });

  it('says how long each phase took', () => {
    expect(report.markdown).toContain('Run: seeding 90 s · total 280 s');
  });

  it('knows a single-item route by the id at the end of its path', () => {
    expect(isSingleItemRoute('GET /customers/{id}')).toBe(true);
    expect(isSingleItemRoute('GET /customers/{id}/timeline')).toBe(false);
    expect(isSingleItemRoute('GET /customers?limit=50')).toBe(false);
  });
});
