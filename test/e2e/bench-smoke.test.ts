/** `npm run bench -- --smoke`: the whole harness runs end to end on a tiny tenant. No figure is asserted. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

describe('the benchmark', () => {
  it('measures routes, scale, jobs, HTTP load and bundles and writes its results', { timeout: 240_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const run = spawnSync(join(root, 'node_modules/.bin/tsx'), ['bench/run.ts', '--smoke', '--out', out], { cwd: root, encoding: 'utf8', env: process.env });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      routes: Array<{ id: string; requests?: number; verdicts: Record<string, string> }>;
      scale: Array<{ route: string; small: { requests?: number }; large: { requests?: number } }>;
      jobs: Array<{ job: string; tenant: string; changes: number; handled: number }>;
      http: Array<{ connections: number; requests: number; non2xx: number; errors: number }>;
      coldStart: { functions: Array<{ name: string; bytes: number; initMs?: number }> };
    };
    expect(results.routes.map((route) => route.id).sort()).toEqual(['createCustomer', 'getCustomer', 'listCustomers']);
    expect(results.routes.every((route) => route.requests !== undefined && Object.keys(route.verdicts).length === 3)).toBe(true);
    expect(results.scale.length).toBeGreaterThan(0);
    expect(results.scale.every((row) => row.small.requests !== undefined && row.large.requests !== undefined)).toBe(true);
    // The reminder job handled exactly the tasks that fell due, at both sizes.
    const reminders = results.jobs.filter((row) => row.job === 'reminders');
    expect(reminders.filter((row) => row.changes > 0).every((row) => row.handled === row.changes)).toBe(true);
    // The KPI rollup ran after no change and after some on both tenants (reading records only when events came),
    // and the quarter of the large tenant was recomputed.
    const rollups = results.jobs.filter((row) => row.job === 'kpi-rollup');
    expect(rollups.map((row) => [row.tenant, row.changes > 0])).toEqual([['small', false], ['small', true], ['large', false], ['large', true]]);
    expect(rollups.filter((row) => row.changes === 0).every((row) => row.handled === 0)).toBe(true);
    expect(results.jobs.filter((row) => row.job.startsWith('kpi-recompute ')).map((row) => row.tenant)).toEqual(['large']);
    expect(results.http.length).toBeGreaterThan(0);
    expect(results.http.every((row) => row.requests > 0 && row.non2xx === 0 && row.errors === 0)).toBe(true);
    expect(results.coldStart.functions.map((fn) => fn.name)).toContain('customers');
    // Every deployable bundle (SDK bundled, model validator stubbed) imports and initialises in a fresh process.
    expect(results.coldStart.functions.filter((fn) => fn.initMs === undefined).map((fn) => fn.name)).toEqual([]);
    expect(readFileSync(join(out, 'RESULTS.md'), 'utf8')).toContain('| GET /customers/{id} |');
    expect(run.stdout).toContain('# Benchmark results');
  });

  it('--routes measures only what those routes need and writes beside the baseline, never over it', { timeout: 240_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-routes-'));
    const baseline = { date: '2030-01-01T00:00:00.000Z', routes: [{ id: 'getCustomer', route: 'GET /customers/{id}', handler: { p50: 2 }, p50Ratio: 1.2, requests: 1 }] };
    writeFileSync(join(out, 'results.json'), JSON.stringify(baseline));
    writeFileSync(join(out, 'RESULTS.md'), '# the baseline\n');
    const run = spawnSync(join(root, 'node_modules/.bin/tsx'), ['bench/run.ts', '--smoke', '--routes', 'getCustomer', '--out', out], { cwd: root, encoding: 'utf8', env: process.env });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(baseline);
    expect(readFileSync(join(out, 'RESULTS.md'), 'utf8')).toBe('# the baseline\n');
    const results = JSON.parse(readFileSync(join(out, 'results.partial.json'), 'utf8')) as {
      partial: { routes: string[] };
      sizes: { small: number; large?: number };
      routes: Array<{ id: string; requests?: number }>;
      scale: unknown[];
      jobs: unknown[];
      http: unknown[];
      coldStart: { functions: Array<{ name: string }> };
    };
    expect(results.partial.routes).toEqual(['getCustomer']);
    expect(results.routes.map((route) => [route.id, route.requests])).toEqual([['getCustomer', 1]]);
    // A single-record route: one small tenant, no scale rows, no jobs, no HTTP load; only its function's bundle.
    expect(results.sizes).toEqual({ small: 10 });
    expect([results.scale, results.jobs, results.http]).toEqual([[], [], []]);
    expect(results.coldStart.functions.map((fn) => fn.name)).toEqual(['customers']);
    const markdown = readFileSync(join(out, 'RESULTS.partial.md'), 'utf8');
    expect(markdown).toContain('# Benchmark results (partial: --routes getCustomer)');
    expect(markdown).toMatch(/\| GET \/customers\/\{id\} \| [\d.]+ \| [\d.]+× \| 1 \| 2\.00 \| 1\.2× \| 1 \|/);
    expect(run.stdout).toContain('One tenant of 10 customers instead of two');
  });
});
