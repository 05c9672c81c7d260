/**
 * The dependency rules of `npm run lint` (.dependency-cruiser.cjs) bite: each fixture tree under fixtures/ is laid
 * out like the repository (domain/, functions/) and breaks one rule, and the `clean` tree makes every kind of
 * allowed import without a violation. The fixtures are plain TypeScript that type-checks and lints on its own
 * (a cycle of type-only imports is legal TypeScript), so they stay in `tsc` and `eslint`; vitest only runs *.test.ts.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cruise, format, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

let options: Awaited<ReturnType<typeof extractDepcruiseOptions>>;
let tsConfig: ReturnType<typeof extractTSConfig>;

beforeAll(async () => {
  // The very rule set and options that `npm run lint` reads.
  options = await extractDepcruiseOptions(`${root}.dependency-cruiser.cjs`);
  tsConfig = extractTSConfig(`${root}tsconfig.json`);
});

/**
 * Cruises one fixture tree as `npm run lint` cruises the repository (`baseDir` makes the paths `domain/…`, so the
 * rules' paths match); returns one line per violation, and checks that the lint's reporter would fail on them.
 */
async function violations(fixture: string): Promise<string[]> {
  const baseDir = `${fixtures}${fixture}`;
  const { output } = await cruise(
    ['domain', 'functions'].filter((dir) => existsSync(`${baseDir}/${dir}`)),
    { ...options, baseDir, tsConfig: { fileName: `${root}tsconfig.json` } },
    {},
    { tsConfig },
  );
  const result = output as ICruiseResult;
  const lines = [...new Set(result.summary.violations.map(describeViolation))].sort();
  // The lint's reporter (`err`) exits with the number of errors: non-zero exactly when there is a violation.
  const { exitCode } = await format(result, { outputType: 'err' });
  expect(exitCode > 0, lines.join('\n')).toBe(lines.length > 0);
  return lines;
}

/** `rule: from → to`; a cycle as `no-circular: a → b → … → a`, starting from its first module by name. */
function describeViolation(violation: IViolation): string {
  if (violation.type !== 'cycle' || violation.cycle === undefined) {
    return `${violation.rule.name}: ${violation.from} → ${violation.to}`;
  }
  const loop = violation.cycle.map((step) => step.name);
  const start = loop.indexOf([...loop].sort()[0] ?? '');
  const ordered = [...loop.slice(start), ...loop.slice(0, start)];
  return `${violation.rule.name}: ${[...ordered, ordered[0]].join(' → ')}`;
}

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  it('allows the imports the layering permits', async () => {
    // type-only kernel → db.ts, db.ts → models, model → kernel, a context's own modules, L5 → L4 public modules,
    // a handler module → public modules and the kernel, functions/shared → db.ts.
    expect(await violations('clean')).toEqual([]);
  });

  it('fails on a cycle, even of type-only imports', async () => {
    expect(await violations('cycle')).toEqual([
      'no-circular: domain/customers/a.ts → domain/customers/b.ts → domain/customers/a.ts',
    ]);
  });

  it("fails on an import of another context's internal module", async () => {
    expect(await violations('internal-import')).toEqual([
      'context-public-module-only: domain/pipeline/index.ts → domain/customers/rules.ts',
    ]);
  });

  it('fails on an import of a higher or same-layer context, even through its public module', async () => {
    expect(await violations('upward')).toEqual([
      'direction-L4: domain/customers/index.ts → domain/pipeline/index.ts',
      'direction-L5: domain/catalog/index.ts → domain/pipeline/index.ts',
    ]);
  });

  it('fails when the kernel imports a context', async () => {
    expect(await violations('kernel-imports-context')).toEqual([
      'kernel-imports-no-context: domain/shared/change-log.ts → domain/customers/index.ts',
    ]);
  });

  it('fails when the kernel imports db.ts for more than its type', async () => {
    expect(await violations('kernel-imports-db')).toEqual([
      'kernel-to-db-type-only: domain/shared/ports.ts → domain/db.ts',
    ]);
  });

  it('fails when a model imports anything but the kernel, its own rules included', async () => {
    expect(await violations('model-imports-rules')).toEqual([
      'model-imports-kernel-only: domain/customers/model.ts → domain/customers/rules.ts',
    ]);
  });

  it('fails when db.ts imports more of a context than its model', async () => {
    expect(await violations('db-imports-rules')).toEqual([
      'db-imports-models-only: domain/db.ts → domain/customers/rules.ts',
    ]);
  });

  it('fails on a context that has no layer: its imports, its importers, and its modules that have neither', async () => {
    expect(await violations('unplaced')).toEqual([
      'context-not-placed: domain/db.ts → domain/invoices/model.ts',
      'context-not-placed: domain/invoices/index.ts → domain/shared/money.ts',
      'context-not-placed: domain/invoices/rules.ts → domain/invoices/rules.ts',
    ]);
  });

  it("fails when an HTTP handler module imports a context's internal module", async () => {
    expect(await violations('handler-internal')).toEqual([
      'http-handler-public-module-only: functions/http/customers/handler.ts → domain/customers/rules.ts',
    ]);
  });

  it('fails when the domain imports functions/', async () => {
    expect(await violations('domain-imports-functions')).toEqual([
      'domain-not-to-outside: domain/customers/index.ts → functions/shared/http.ts',
    ]);
  });
});
