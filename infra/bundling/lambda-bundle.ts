/**
 * How every Lambda is bundled — one definition, read by the CDK construct (infra/constructs/api-function.ts) and
 * by the benchmark (bench/cold-start.ts), so the bench measures exactly what deploys.
 *
 * Decisions, measured with `npm run bench` (cold init in a fresh Node process):
 * - The AWS SDK is bundled, not taken from the runtime: esbuild tree-shakes and minifies the ESM builds into one
 *   file, and importing that takes ~55 ms where resolving and loading the runtime's copy (hundreds of CJS files)
 *   takes ~120 ms. It also pins the SDK version to the one the tests ran against.
 * - `jsonschema` is replaced by a stub (see jsonschema-stub.cjs): ElectroDB only uses it to validate each
 *   entity's model on construction, ~60 ms of every cold start for a check whose answer is fixed at build time
 *   and is made by every test run against the real validator.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const LAMBDA_BUNDLE = {
  format: 'esm',
  target: 'node22',
  // Prefer packages' ESM builds: better tree-shaking, and no CJS interop in the common case.
  mainFields: ['module', 'main'],
  minify: true,
  external: [] as string[],
  /** Package → file, relative to the repository root (esbuild resolves aliases from its working directory). */
  alias: { jsonschema: './infra/bundling/jsonschema-stub.cjs' } as Record<string, string>,
  // CJS dependencies bundled into ESM output may still call require() for Node built-ins.
  banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
} as const;

/** The alias map with absolute paths, for esbuild's JavaScript API. */
export function absoluteAliases(): Record<string, string> {
  return Object.fromEntries(Object.entries(LAMBDA_BUNDLE.alias).map(([name, file]) => [name, join(REPO_ROOT, file)]));
}
