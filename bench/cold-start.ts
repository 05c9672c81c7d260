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
import { LAMBDA_BUNDLE, absoluteAliases } from '../infra/bundling/lambda-bundle';
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
    ...FUNCTIONS.map((name) => ({ name, entry: `functions/http/${name}/handler.ts` })),
    { name: 'approval-tasks', entry: 'functions/workflows/approval-tasks.ts' },
    { name: 'reminders', entry: 'functions/schedules/reminders.ts' },
    { name: 'publish-events', entry: 'functions/streams/publish-events.ts' },
  ];
}

/** Bundles with the options CDK uses (infra/bundling/lambda-bundle.ts). */
export async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    minify: LAMBDA_BUNDLE.minify,
    treeShaking: true,
    external: [...LAMBDA_BUNDLE.external],
    alias: absoluteAliases(),
    banner: { js: LAMBDA_BUNDLE.banner },
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

export interface ColdStarts {
  /** An empty handler: Node's own cost of importing a module. */
  floorMs?: number;
  /** An empty handler that builds a DynamoDB client, bundled like the functions: what no function can go below. */
  sdkFloorMs?: number;
  sdkFloorBytes: number;
  functions: ColdStart[];
}

export async function measureColdStarts(options: { runs: number; env: NodeJS.ProcessEnv; log: (line: string) => void }): Promise<ColdStarts> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const empty = join(OUT_DIR, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => ({ statusCode: 200 });\n');
  const sample = (file: string) => median(Array.from({ length: options.runs }, () => initMilliseconds(file, options.env)).filter((value): value is number => value !== undefined));
  const floorMs = sample(empty);
  const sdkFloor = join(OUT_DIR, 'sdk-floor.mjs');
  const sdkFloorBytes = await bundle(join('bench', 'lib', 'sdk-floor-handler.ts'), sdkFloor);
  const sdkFloorMs = sample(sdkFloor);
  options.log(`  ${'(empty handler)'.padEnd(16)} ${'0'.padStart(5)} KB  init ${floorMs?.toFixed(1) ?? '–'} ms`);
  options.log(`  ${'(DynamoDB only)'.padEnd(16)} ${(sdkFloorBytes / 1024).toFixed(0).padStart(5)} KB  init ${sdkFloorMs?.toFixed(1) ?? '–'} ms`);
  const functions: ColdStart[] = [];
  for (const { name, entry } of lambdaEntries()) {
    const outfile = join(OUT_DIR, `${name}.mjs`);
    const bytes = await bundle(entry, outfile);
    const row = { name, entry, bytes, initMs: sample(outfile) };
    functions.push(row);
    options.log(`  ${name.padEnd(16)} ${(bytes / 1024).toFixed(0).padStart(5)} KB  init ${row.initMs?.toFixed(1) ?? '–'} ms`);
  }
  return { floorMs, sdkFloorMs, sdkFloorBytes, functions };
}
