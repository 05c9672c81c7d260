/**
 * Cold start: each Lambda bundled as CDK bundles it (esbuild: ESM, minified, node22, AWS SDK external), its
 * size, and the time a fresh Node process takes to import and initialise it (median of several), next to the
 * same figure for an empty handler (the floor).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS } from '../functions/http/routes';
import { median } from './lib/stats';

export interface ColdStart {
  name: string;
  entry: string;
  bytes: number;
  initMs?: number;
}

const OUT_DIR = join(process.cwd(), 'bench', '.out');

/** Every function CDK deploys: one per bounded context, the workflow tasks, the scheduled job, the outbox relay. */
export function lambdaEntries(): Array<{ name: string; entry: string }> {
  return [
    ...FUNCTIONS.map((name) => ({ name, entry: `functions/http/${name}.ts` })),
    { name: 'approval-tasks', entry: 'functions/workflows/approval-tasks.ts' },
    { name: 'reminders', entry: 'functions/schedules/reminders.ts' },
    { name: 'publish-events', entry: 'functions/streams/publish-events.ts' },
  ];
}

/** Bundles with the options of infra/constructs/api-function.ts. */
export async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    treeShaking: true,
    external: ['@aws-sdk/*'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  return statSync(outfile).size;
}

/** Milliseconds a fresh Node process spends importing `file` (its module-level initialisation included). */
function initMilliseconds(file: string, env: NodeJS.ProcessEnv): number | undefined {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  const value = Number(result.stdout);
  return result.status === 0 && Number.isFinite(value) ? value : undefined;
}

export async function measureColdStarts(options: { runs: number; env: NodeJS.ProcessEnv; log: (line: string) => void }): Promise<{ floorMs?: number; functions: ColdStart[] }> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const empty = join(OUT_DIR, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => ({ statusCode: 200 });\n');
  const sample = (file: string) => median(Array.from({ length: options.runs }, () => initMilliseconds(file, options.env)).filter((value): value is number => value !== undefined));
  const floorMs = sample(empty);
  const functions: ColdStart[] = [];
  for (const { name, entry } of lambdaEntries()) {
    const outfile = join(OUT_DIR, `${name}.mjs`);
    const bytes = await bundle(entry, outfile);
    const row = { name, entry, bytes, initMs: sample(outfile) };
    functions.push(row);
    options.log(`  ${name.padEnd(16)} ${(bytes / 1024).toFixed(0).padStart(5)} KB  init ${row.initMs?.toFixed(1) ?? '–'} ms`);
  }
  return { floorMs, functions };
}
