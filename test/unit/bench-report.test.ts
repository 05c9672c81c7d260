import { describe, expect, it } from 'vitest';
import { buildReport } from '../../bench/lib/report';

const summary = (p50: number, p99: number) => ({ count: 10, p50, p99, min: p50, max: p99, mean: p50 });

describe('the bench report', () => {
  const report = buildReport({
    machine: 'test machine',
    date: '2030-01-01T00:00:00.000Z',
    customers: 10,
    latency: [
      { route: 'GET /customers/{id}', id: 'getCustomer', handler: summary(1.2, 2.5), floor: summary(1, 1), requests: 1, commands: ['GetItem'], capacity: 1 },
      { route: 'GET /customers', id: 'listCustomers', handler: summary(2, 3), floor: summary(1, 1), requests: 3, commands: ['Query', 'Query', 'GetItem'], capacity: 2 },
      { route: 'POST /customers', id: 'createCustomer', handler: summary(5, 6), floor: summary(4.5, 5), requests: 2, commands: ['GetItem', 'TransactWriteItems'], capacity: 10 },
      { route: 'POST /quotes/{id}/send', id: 'sendQuote', skipped: 'not repeatable (succeeds once per record)' },
    ],
    coldStarts: { floorMs: 10, functions: [{ name: 'customers', entry: 'x.ts', bytes: 200 * 1024, initMs: 25 }] },
  });
  const verdicts = Object.fromEntries(report.json.routes.map((route) => [route.id, route.verdicts]));

  it('judges each figure against its budget', () => {
    expect(verdicts.getCustomer).toEqual({ handlerP50: 'met', addedP99: 'met', requests: 'met' });
    expect(verdicts.listCustomers).toEqual({ handlerP50: 'not met', addedP99: 'met', requests: 'not met' });
    // A write is judged by its transactions: one, plus the reads it needs.
    expect(verdicts.createCustomer).toEqual({ handlerP50: 'met', addedP99: 'met', requests: 'met' });
    expect(verdicts.sendQuote).toEqual({ handlerP50: 'not measured', addedP99: 'not measured', requests: 'not measured' });
    expect(report.json.coldStart.functions[0]?.verdicts).toEqual({ bundle: 'met', coldInit: 'not met' });
  });

  it('prints one table row per route and function, with the reason where not measured', () => {
    expect(report.markdown).toContain('| GET /customers/{id} | 1.20 | 2.50 | 1.00 | 1.00 | 1.2× | 1 (GetItem) | 1 | p50 met; p99 met; requests met |');
    expect(report.markdown).toContain('| POST /quotes/{id}/send | – | – | – | – | – | – | – | not measured: not repeatable (succeeds once per record) |');
    expect(report.markdown).toContain('| customers | 200 KB | 25.0 ms | 2.5× | bundle met; init not met |');
  });
});
