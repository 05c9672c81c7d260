import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/http/routes';
import { FULL_SIZES, planRun, resultFiles } from '../../bench/lib/plan';
import { buildReport } from '../../bench/lib/report';

const ids = (list: ReadonlyArray<{ id: string }>) => list.map((route) => route.id);

describe('what a bench run measures and where it writes', () => {
  it('a whole run measures everything on two tenants and writes the baseline', () => {
    const plan = planRun({ smoke: false, out: 'bench' }, routes);
    expect(plan).toMatchObject({ partial: false, sizes: FULL_SIZES, latencyTenant: 'large', jobs: true, http: true });
    expect(plan.functions).toBeUndefined();
    expect(plan.latencyRoutes).toHaveLength(routes.length);
    expect(plan.files).toEqual({ json: join('bench', 'results.json'), markdown: join('bench', 'RESULTS.md') });
  });

  it('--routes never writes over the baseline, wherever --out points', () => {
    for (const out of ['bench', '/tmp/elsewhere']) {
      for (const only of ['getCustomer', 'listCustomers', 'getCustomer,listCustomers']) {
        for (const smoke of [false, true]) {
          const { files } = planRun({ smoke, routes: only, out }, routes);
          expect(files).toEqual({ json: join(out, 'results.partial.json'), markdown: join(out, 'RESULTS.partial.md') });
          expect(Object.values(files)).not.toContain(resultFiles(out, false).json);
          expect(Object.values(files)).not.toContain(resultFiles(out, false).markdown);
        }
      }
    }
  });

  it('--routes with single-record routes only: one small tenant, their functions, no jobs or HTTP load, and says so', () => {
    const plan = planRun({ smoke: false, routes: 'getCustomer,updateOpportunity', out: 'bench' }, routes);
    expect(ids(plan.latencyRoutes)).toEqual(['getCustomer', 'updateOpportunity']);
    expect(plan.scaleRoutes).toEqual([]);
    expect(plan.functions).toEqual(['customers', 'pipeline']);
    expect(plan).toMatchObject({ partial: true, sizes: { small: FULL_SIZES.small }, latencyTenant: 'small', jobs: false, http: false });
    expect(plan.notes.join(' ')).toMatch(/One tenant of 1000 customers instead of two/);
  });

  it('--routes with a collection read seeds both sizes and compares it between them', () => {
    const plan = planRun({ smoke: false, routes: 'getCustomer,listCustomers,getRep', out: 'bench' }, routes);
    expect(ids(plan.scaleRoutes)).toEqual(['listCustomers', 'getRep']);
    expect(ids(plan.latencyRoutes).sort()).toEqual(['getCustomer', 'getRep', 'listCustomers']);
    expect(plan).toMatchObject({ sizes: FULL_SIZES, latencyTenant: 'large' });
    expect(plan.notes.join(' ')).toMatch(/Two tenants, 1000 and 10000 customers, as in the baseline: listCustomers and getRep are compared/);
  });

  it('refuses route ids it does not know, naming them', () => {
    expect(() => planRun({ smoke: false, routes: 'getCustomer,getCustomr', out: 'bench' }, routes)).toThrow(/Unknown route id: getCustomr/);
    expect(() => planRun({ smoke: false, routes: ',', out: 'bench' }, routes)).toThrow(/--routes needs route ids/);
  });

  it('the smoke run keeps its few routes, tiny tenants and the baseline names (in the directory it is given)', () => {
    const plan = planRun({ smoke: true, out: '/tmp/smoke' }, routes);
    expect(ids(plan.latencyRoutes).sort()).toEqual(['createCustomer', 'getCustomer', 'listCustomers']);
    expect(ids(plan.scaleRoutes)).toEqual(['listCustomers']);
    expect(plan.sizes).toEqual({ small: 10, large: 100 });
    expect(plan.files.json).toBe(join('/tmp/smoke', 'results.json'));
  });

  it('a partial report says what it left out and sets its rows beside the baseline', () => {
    const summary = (p50: number) => ({ count: 3, p50, p99: p50, min: p50, max: p50, mean: p50 });
    const report = buildReport({
      machine: 'm',
      date: '2030-01-01T00:00:00.000Z',
      sizes: { small: 1000 },
      latencySize: 1000,
      seededItems: 26_000,
      phases: { total: 30 },
      latency: [{ route: 'GET /customers/{id}', id: 'getCustomer', handler: summary(2), floor: summary(1.6), requests: 1, commands: ['GetItem'], capacity: 1 }],
      scale: [],
      jobs: [],
      http: [],
      coldStarts: { floorMs: 10, sdkFloorMs: 20, sdkFloorBytes: 1024, stackParts: [], functions: [] },
      partial: {
        routes: ['getCustomer'],
        notes: ['One tenant of 1000 customers instead of two'],
        baselineFile: 'bench/results.json',
        baseline: { date: '2029-12-01', routes: [{ id: 'getCustomer', route: 'GET /customers/{id}', handler: { p50: 2.18 }, p50Ratio: 1.18, requests: 1 }] },
      },
    });
    expect(report.markdown).toContain('# Benchmark results (partial: --routes getCustomer)');
    expect(report.markdown).toContain('one tenant of 1000 customers (26000 items)');
    expect(report.markdown).toContain('- One tenant of 1000 customers instead of two');
    expect(report.markdown).toContain('| GET /customers/{id} | 2.00 | 1.25× | 1 | 2.18 | 1.18× | 1 |');
    expect(report.markdown).toContain('## Handler vs floor, on the 1000-customer tenant');
    expect(report.markdown).not.toContain('## Scale');
    expect(report.markdown).not.toContain('## Scheduled jobs');
    expect(report.markdown).not.toContain('## HTTP');
    expect(report.json.partial).toEqual({ routes: ['getCustomer'], notes: ['One tenant of 1000 customers instead of two'] });
  });
});
