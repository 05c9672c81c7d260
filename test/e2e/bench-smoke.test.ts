/** `npm run bench -- --smoke`: the whole harness runs end to end on a tiny tenant. No figure is asserted. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

describe('the benchmark', () => {
  it('measures routes and bundles and writes its results', { timeout: 240_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const run = spawnSync(join(root, 'node_modules/.bin/tsx'), ['bench/run.ts', '--smoke', '--out', out], { cwd: root, encoding: 'utf8', env: process.env });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      routes: Array<{ id: string; requests?: number; verdicts: Record<string, string> }>;
      coldStart: { functions: Array<{ name: string; bytes: number }> };
    };
    expect(results.routes.map((route) => route.id).sort()).toEqual(['createCustomer', 'getCustomer', 'listCustomers']);
    expect(results.routes.every((route) => route.requests !== undefined && Object.keys(route.verdicts).length === 3)).toBe(true);
    expect(results.coldStart.functions.map((fn) => fn.name)).toContain('customers');
    expect(readFileSync(join(out, 'RESULTS.md'), 'utf8')).toContain('| GET /customers/{id} |');
    expect(run.stdout).toContain('# Benchmark results');
  });
});
