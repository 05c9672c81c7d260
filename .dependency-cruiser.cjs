// @ts-check
/**
 * Dependency direction of Salesflow (issue 13, point 3), checked by `npm run lint`:
 *
 *   depcruise --config .dependency-cruiser.cjs domain functions infra
 *
 * README.md "### Dependency direction" says the same in plain words; test/lint/boundaries.test.ts proves that
 * every rule below fails on a small fixture tree and that the allowed imports pass.
 *
 * Paths are relative to the repository root (or to `baseDir` when the test cruises a fixture tree).
 */

/**
 * The bounded contexts (folders `domain/<context>/`, `domain/shared/` excepted), in layers. A context may import
 * only contexts of LOWER layers, so no two contexts can depend on each other, not even through a third one.
 * A folder under `domain/` that is not in this table fails the lint: a new context must be placed first.
 */
const LAYERS = [
  /* L0 */ ['events', 'idempotency', 'notifications', 'scheduling'],
  /* L1 */ ['audit'],
  /* L2 */ ['settings', 'reps', 'directory'],
  /* L3 */ ['assignment'],
  /* L4 */ ['customers'],
  /* L5 */ ['pipeline', 'catalog'],
  /* L6 */ ['quotes'],
  /* L7 */ ['contracts'],
  /* L8 */ ['approvals', 'tasks'],
  // Customer care: tickets with their SLA clocks, surveys, renewals. It reads the sales contexts below it.
  /* L9 */ ['care'],
  // The reminder job (it fires the timers of every context below, SLA timers included) and reporting (it reads
  // the figures of every context below, care's included): they read the others and are read by nobody.
  /* L10 */ ['reminders', 'analytics'],
];

const CONTEXTS = LAYERS.flat();

/** The shared kernel: what every context may import. It imports no context. */
const KERNEL = '^domain/(?:shared/|errors\\.ts$|table\\.ts$)';
/** A module of a context (any folder of domain/ except shared/). */
const CONTEXT_MODULE = '^domain/(?!shared/)[^/]+/';
/** A context's public modules: its use cases and types (index.ts) and its API contract (schemas.ts). */
const PUBLIC_MODULE = '^domain/[^/]+/(?:index|schemas)\\.ts$';
/** The one ElectroDB service of the single table. */
const DB = '^domain/db\\.ts$';
/** A module of a context that is not in LAYERS. */
const UNPLACED_CONTEXT = `^domain/(?!(?:shared|${CONTEXTS.join('|')})/)[^/]+/`;
/** Code of this repository (as opposed to npm packages and node's core modules). */
const LOCAL = '^(?:domain|functions|infra|bench|test)/';

const alternation = (/** @type {string[]} */ names) => `(${names.join('|')})`;

/**
 * One rule per layer, generated from LAYERS: a context of layer n imports no context of layer n or above
 * (its own folder excepted; `$1` is the importing context, captured by `from.path`).
 * @type {import('dependency-cruiser').IForbiddenRuleType[]}
 */
const directionRules = LAYERS.map((layer, level) => {
  const upward = LAYERS.slice(level).flat();
  const lower = LAYERS.slice(0, level).flat();
  return {
    name: `direction-L${level}`,
    severity: 'error',
    comment:
      `${layer.join(', ')} (L${level}) may import only contexts of lower layers` +
      (lower.length > 0 ? ` (${lower.join(', ')})` : ' (none: L0 imports only the kernel)') +
      '. Contexts depend one way, so a change in a lower context never needs one in a higher context and ' +
      'no two contexts can form a cycle.',
    from: { path: `^domain/${alternation(layer)}/` },
    to: { path: `^domain/${alternation(upward)}/`, pathNot: '^domain/$1/' },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules import each other one way, type-only imports included (a type cycle still ties the ' +
        'modules together: neither can be understood, tested, split or moved without the other). Break it ' +
        'by moving the shared part down (to the kernel or a lower context) or by inverting the dependency.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that does not resolve to a file matches no path rule, so it would slip past every rule ' +
        'here (and fails the build anyway).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'context-not-placed',
      severity: 'error',
      comment:
        'Every folder of domain/ other than shared/ is a bounded context and must have a layer in LAYERS ' +
        '(.dependency-cruiser.cjs) before it imports or is imported: placing it decides whom it may read.',
      from: { path: UNPLACED_CONTEXT },
      to: {},
    },
    {
      name: 'context-not-placed',
      severity: 'error',
      comment: 'A module of a context that is not in LAYERS is imported: place the context first.',
      from: {},
      to: { path: UNPLACED_CONTEXT },
    },
    {
      name: 'context-not-placed',
      severity: 'error',
      comment: 'A module of a context that is not in LAYERS (and imports nothing yet): place the context.',
      from: { orphan: true, path: UNPLACED_CONTEXT },
      to: {},
    },
    {
      name: 'kernel-imports-no-context',
      severity: 'error',
      comment:
        'The shared kernel (domain/shared/**, domain/errors.ts, domain/table.ts) is what every context ' +
        'builds on; if it imported a context, that context would sit below every other one and every ' +
        'context would depend on all of them. Move what the kernel needs into the kernel.',
      from: { path: KERNEL },
      to: { path: CONTEXT_MODULE },
    },
    {
      name: 'kernel-to-db-type-only',
      severity: 'error',
      comment:
        "The kernel may name the service's type (Deps.db is typed by domain/db.ts), with `import type` " +
        'only: a value import of db.ts would pull every entity of every context into the kernel at run time.',
      from: { path: KERNEL },
      to: { path: DB, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'db-imports-models-only',
      severity: 'error',
      comment:
        'domain/db.ts joins every entity of the single table in one ElectroDB service (so transactions can ' +
        "span them): it may import every context's model.ts and the kernel, and nothing else of a context " +
        '(rules or use cases there would make every context depend on them through the service).',
      from: { path: DB },
      to: { path: CONTEXT_MODULE, pathNot: '^domain/[^/]+/model\\.ts$' },
    },
    {
      name: 'model-imports-kernel-only',
      severity: 'error',
      comment:
        "A context's model.ts (its ElectroDB entities) imports only the kernel, not even its own rules: " +
        'entities are leaves, since db.ts imports every one of them and the kernel reaches db.ts for its ' +
        'type; anything a model imported would sit in a cycle with the service.',
      from: { path: '^domain/(?!shared/)[^/]+/model\\.ts$' },
      to: { path: LOCAL, pathNot: KERNEL },
    },
    {
      name: 'context-public-module-only',
      severity: 'error',
      comment:
        "A context reaches another context only through that context's public modules: index.ts (use " +
        'cases and types) and schemas.ts (the API contract). Everything else of a context is internal and ' +
        'may change without notice; inside its own context a module imports anything.',
      from: { path: '^domain/((?!shared/)[^/]+)/' },
      to: { path: CONTEXT_MODULE, pathNot: ['^domain/$1/', PUBLIC_MODULE] },
    },
    ...directionRules,
    {
      name: 'http-handler-public-module-only',
      severity: 'error',
      comment:
        "HTTP handler modules (functions/http/<context>/) may use any context, but only through its public " +
        'modules (index.ts, schemas.ts) and the kernel, like another context would; the runtime wiring ' +
        '(functions/shared/) builds the service.',
      from: { path: '^functions/http/' },
      to: { path: '^domain/', pathNot: [KERNEL, PUBLIC_MODULE] },
    },
    {
      name: 'functions-not-to-tooling',
      severity: 'error',
      comment:
        'functions/ is what is deployed: it never imports the CDK app (infra/), the tests (test/) or the ' +
        'bench harness (bench/); whatever both need lives in functions/ or domain/.',
      from: { path: '^functions/' },
      to: { path: '^(?:infra|test|bench)/' },
    },
    {
      name: 'domain-not-to-outside',
      severity: 'error',
      comment:
        'domain/ is the business: it knows nothing of Lambda handlers (functions/), the CDK app (infra/), ' +
        'the bench (bench/) or the tests (test/). Effects come in as ports (domain/shared/ports.ts).',
      from: { path: '^domain/' },
      to: { path: '^(?:functions|infra|bench|test)/' },
    },
  ],
  options: {
    // Type-only imports are dependencies too (rules 'no-circular' and 'kernel-to-db-type-only' rely on it).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Stop at npm packages: only this repository's modules are checked.
    doNotFollow: { path: 'node_modules' },
    // Resolve npm packages the way node and the bundler do (package.json "exports" with its conditions), so
    // 'not-to-unresolvable' flags only imports that are really broken.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    // Only the rules above are computed (no metrics, no reachability): keeps the lint fast.
    skipAnalysisNotInRules: true,
  },
};
