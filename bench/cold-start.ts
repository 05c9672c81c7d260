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
  /** The DynamoDB floor with one more part of the stack each (ElectroDB and the entities; zod and the kernel's schemas). */
  stackParts: ColdStart[];
  functions: ColdStart[];
}

/** What each layer of the stack costs on its own, on top of the DynamoDB floor. */
const STACK_PARTS = [
  { name: '(+ ElectroDB)', entry: 'bench/lib/electrodb-floor-handler.ts' },
  { name: '(+ zod)', entry: 'bench/lib/zod-floor-handler.ts' },
];

/**
 * Every bundle is built first, then sampled in rounds, one import of each per round: a machine that gets busier
 * or quieter during the run moves every figure alike, so the ratios to the floors stay fair.
 */
export async function measureColdStarts(options: {
  runs: number;
  env: NodeJS.ProcessEnv;
  /** Only these functions (by name), besides the floors; default every Lambda. */
  only?: readonly string[];
  log: (line: string) => void;
}): Promise<ColdStarts> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const empty = join(OUT_DIR, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => ({ statusCode: 200 });\n');
  const bundled = async (name: string, entry: string) => {
    const file = join(OUT_DIR, `${name.replace(/[^\w-]+/g, '_')}.mjs`);
    return { name, entry, file, bytes: await bundle(entry, file) };
  };
  const sdkFloor = await bundled('sdk-floor', join('bench', 'lib', 'sdk-floor-handler.ts'));
  const parts = await Promise.all(STACK_PARTS.map((part) => bundled(part.name, part.entry)));
  const entries = lambdaEntries().filter(({ name }) => options.only?.includes(name) ?? true);
  const functions = await Promise.all(entries.map(({ name, entry }) => bundled(name, entry)));
  const all = [{ name: 'empty', entry: '', file: empty, bytes: 0 }, sdkFloor, ...parts, ...functions];
  const samples = new Map<string, number[]>(all.map((item) => [item.file, []]));
  for (let round = 0; round < options.runs; round += 1) {
    for (const item of all) {
      const value = initMilliseconds(item.file, options.env);
      if (value !== undefined) samples.get(item.file)?.push(value);
    }
  }
  const initOf = (file: string) => median(samples.get(file) ?? []);
  const row = (item: (typeof all)[number]): ColdStart => ({ name: item.name, entry: item.entry, bytes: item.bytes, initMs: initOf(item.file) });
  const print = (item: ColdStart) => options.log(`  ${item.name.padEnd(16)} ${(item.bytes / 1024).toFixed(0).padStart(5)} KB  init ${item.initMs?.toFixed(1) ?? '–'} ms`);
  const result: ColdStarts = {
    floorMs: initOf(empty),
    sdkFloorMs: initOf(sdkFloor.file),
    sdkFloorBytes: sdkFloor.bytes,
    stackParts: parts.map(row),
    functions: functions.map(row),
  };
  print({ name: '(empty handler)', entry: '', bytes: 0, initMs: result.floorMs });
  print({ name: '(DynamoDB only)', entry: '', bytes: result.sdkFloorBytes, initMs: result.sdkFloorMs });
  for (const item of [...result.stackParts, ...result.functions]) print(item);
  return result;
}
