/**
 * `npm run bench`: speed and cost against the floor, in one run, on this machine. Starts DynamoDB Local in
 * memory, seeds two tenants (10× apart) from units written by the real use cases, measures every route's handler
 * against the raw DynamoDB requests it needs, every collection read and scheduled job at both sizes, the local
 * HTTP server under a mixed load, and every Lambda's bundle and cold start against an empty handler; writes
 * bench/results.json and bench/RESULTS.md and prints the tables. Exits non-zero only when it could not measure;
 * a budget not met is a finding, never a failure.
 *
 * `--smoke`: a few iterations on tiny tenants, for `npm test` (no figures asserted).
 * `--routes getCustomer,listCustomers`: only what those routes (route ids) need, on smaller tenants when that is
 * enough; writes bench/results.partial.json and bench/RESULTS.partial.md, never over the baseline
 * (bench/lib/plan.ts decides).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { planRun } from './lib/plan';
import { buildReport, type Baseline } from './lib/report';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { smoke: { type: 'boolean', default: false }, out: { type: 'string', default: 'bench' }, routes: { type: 'string' } },
  });
  const smoke = values.smoke;
  const log = (line: string) => console.log(line);
  const { routes } = await import('../functions/http/routes');
  const outDir = values.out ?? 'bench';
  const plan = planRun({ smoke, routes: values.routes, out: outDir }, routes);
  if (plan.partial) {
    log(`Partial run (--routes ${plan.latencyRoutes.map((route) => route.id).join(',')}): results go to ${plan.files.json} and ${plan.files.markdown}; the baseline is left alone.`);
    for (const note of plan.notes) log(`  ${note}`);
    log('');
  }
  const runStart = performance.now();
  const phases: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      phases[name] = Math.round((performance.now() - start) / 1000);
    }
  };

  // First, on a quiet machine: no DynamoDB Local running, nothing seeded. The environment is a Lambda's (no local
  // endpoint); module initialisation sends no request.
  const { measureColdStarts } = await import('./cold-start');
  log('Bundles and cold starts (fresh Node process: import + init):');
  const coldStarts = await phase('cold starts', () =>
    measureColdStarts({
      runs: smoke ? 1 : 10,
      env: { ...process.env, TABLE_NAME: 'bench', AWS_REGION: process.env.AWS_REGION ?? 'eu-west-1' },
      only: plan.functions,
      log,
    }),
  );

  const { startDynamoDbLocal } = await import('../infra/local/dynamodb-local');
  const dynamo = await startDynamoDbLocal({});
  try {
    const tableName = 'bench';
    process.env.TABLE_NAME = tableName;
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    process.env.APPROVAL_LINK_SECRET = 'bench-link-secret-bench-link-secret';
    process.env.CURSOR_SECRET = 'bench-cursor-secret-bench-cursor-secret';
    const { ensureTable } = await import('../infra/local/create-table');
    const { createDeps, createDynamoClient, useRuntimeDeps } = await import('../functions/shared/runtime');
    const { recordingClient } = await import('./lib/dynamo-recorder');
    // No stream: DynamoDB Local writes stream records inside each request, AWS off the request path.
    await ensureTable(createDynamoClient({ endpoint: dynamo.endpoint }), tableName, { stream: false });
    const recorder = recordingClient(dynamo.endpoint);
    const deps = createDeps({ tableName, client: recorder.client });
    useRuntimeDeps(deps);
    const { createLocalApprovalEngine } = await import('../infra/local/local-workflow');
    const { useApprovalEngine } = await import('../functions/shared/approval-engine');
    const { handler: approvalTasks } = await import('../functions/workflows/approval-tasks');
    const approvals = createLocalApprovalEngine({ handler: approvalTasks });
    useApprovalEngine(approvals);

    const { sizes } = plan;
    const tenants = { small: 'bench-small', large: 'bench-large' };
    const seeded = (['small', 'large'] as const).filter((size) => sizes[size] !== undefined);
    log(
      `\n${seeded.length === 1 ? `Seeding one tenant: ${sizes.small}` : `Seeding two tenants: ${sizes.small} and ${sizes.large}`} customers (with contacts, activities, opportunities across stages)…`,
    );
    const { cloneTenant, seedReps, templateUnits } = await import('./seed');
    const rawClient = createDynamoClient({ endpoint: dynamo.endpoint });
    let templates: string[][] = [];
    const items = await phase('seeding', async () => {
      templates = await templateUnits(deps, rawClient, tableName);
      let written = 0;
      for (const size of seeded) {
        written += await cloneTenant({ client: rawClient, tableName, templates, tenant: tenants[size], customers: sizes[size]! });
        await seedReps(deps, tenants[size]);
      }
      return written;
    });
    log(`  ${items} items in ${phases.seeding} s`);

    // The KPI rollup and a recompute, before the reports are measured: they read what these write.
    const kpiJobs: Awaited<ReturnType<(typeof import('./kpi'))['measureKpiRollup']>> = [];
    if (plan.jobs) {
      const { measureKpiRollup } = await import('./kpi');
      log('\nKPI rollup at both sizes, same changes; a recompute of the quarter:');
      kpiJobs.push(
        ...(await phase('kpi rollup', () =>
          measureKpiRollup({ deps, recorder, rawClient, tableName, templates, tenants, sizes, changes: smoke ? [0, 8] : [0, 1_000, 10_000], log }),
        )),
      );
    }

    const { loadHandlers } = await import('../infra/local/local-api');
    const { provideOpenApiDocument } = await import('../infra/openapi/write');
    // GET /openapi.json serves the document generated from the route table (CDK copies it into the bundle).
    provideOpenApiDocument(join('bench', '.out', 'openapi.json'));
    const { measureLatency } = await import('./latency');
    const handlers = await loadHandlers();
    const measuring = { deps, recorder, floorClient: rawClient, handlers, approvals };
    // Before the latency run: its fixtures (products, contracts…) would make the large tenant's lists longer.
    const { measureScale } = await import('./scale');
    let scale: Awaited<ReturnType<typeof measureScale>> = [];
    if (plan.scaleRoutes.length > 0) {
      log(`\nScale: collection reads at ${sizes.small} vs ${sizes.large} customers:`);
      scale = await phase('scale', () => measureScale({ ...measuring, tenants, routes: plan.scaleRoutes, iterations: smoke ? 2 : 12, warmup: smoke ? 1 : 3, log }));
    }

    const latencySize = sizes[plan.latencyTenant]!;
    log(`\nLatency per route on the ${latencySize}-customer tenant (handler in-process vs the same DynamoDB requests raw):`);
    const latency = await phase('latency', () =>
      measureLatency({ ...measuring, tenant: tenants[plan.latencyTenant], routes: plan.latencyRoutes, iterations: smoke ? 3 : 20, warmup: smoke ? 1 : 3, log }),
    );

    const { measureJobs } = await import('./jobs');
    let jobs: Awaited<ReturnType<typeof measureJobs>> = [];
    if (plan.jobs) {
      log('\nScheduled jobs at both sizes, same changes:');
      jobs = await phase('jobs', () => measureJobs({ deps, recorder, tenants, changes: smoke ? 2 : 40, log }));
    }
    jobs.push(...kpiJobs);
    approvals.stop();

    let http: Awaited<ReturnType<typeof measureHttpOverLocalApi>> = [];
    if (plan.http) {
      log('\nHTTP: the local server under a mixed load:');
      http = await phase('HTTP load', () => measureHttpOverLocalApi({ handlers, tenant: tenants.large, smoke, log }));
    }

    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`;
    phases.total = Math.round((performance.now() - runStart) / 1000);
    const baselineFile = join(outDir, 'results.json');
    const partial = plan.partial
      ? {
          routes: plan.latencyRoutes.map((route) => route.id),
          notes: plan.notes,
          baselineFile,
          baseline: existsSync(baselineFile) ? (JSON.parse(readFileSync(baselineFile, 'utf8')) as Baseline) : undefined,
        }
      : undefined;
    const results = buildReport({ latency, scale, jobs, http, coldStarts, sizes, latencySize, partial, seededItems: items, phases, machine, date: new Date().toISOString() });
    writeFileSync(plan.files.json, `${JSON.stringify(results.json, null, 2)}\n`);
    writeFileSync(plan.files.markdown, results.markdown);
    log(`\n${results.markdown}`);
    log(`Written: ${plan.files.json}, ${plan.files.markdown}`);
    if (latency.every((row) => row.handler === undefined)) throw new Error('No route could be measured');
  } finally {
    await dynamo.stop();
  }
}

/**
 * The local API (the server `npm start` runs) on a free port in this process, over the large tenant: the
 * customers to address come from the tenant's own list.
 */
async function measureHttpOverLocalApi(options: {
  handlers: import('../infra/local/local-api').FunctionHandlers;
  tenant: string;
  smoke: boolean;
  log: (line: string) => void;
}) {
  const { createLocalApi } = await import('../infra/local/local-api');
  const { generateDevKeys, signDevToken } = await import('../infra/local/dev-auth');
  const { measureHttpLoad } = await import('./http-load');
  const keys = await generateDevKeys();
  const server = createLocalApi({ handlers: options.handlers, keys, log: () => undefined });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const baseUrl = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    const token = (role: 'rep' | 'manager', sub: string) => signDevToken(keys, { tenant: options.tenant, roles: [role], sub });
    const tokens = { rep: await token('rep', 'bob'), manager: await token('manager', 'alice') };
    const list = async (path: string) => {
      const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${tokens.manager}` } });
      if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
      return ((await response.json()) as { items: Array<{ id: string }> }).items.map((item) => item.id);
    };
    return await measureHttpLoad({
      baseUrl,
      tokens,
      // The rep reads their own customers (owner bob).
      customerIds: await list('/customers?owner=bob&limit=200'),
      connections: options.smoke ? [2] : [1, 8, 32],
      durationSeconds: options.smoke ? 1 : 5,
      log: options.log,
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// Exits explicitly: workflow executions the routes started keep their (15 min) step timers in this process.
main().then(() => process.exit(0)).catch((error: unknown) => {
  console.error('bench: could not measure:', error instanceof Error ? error.stack : error);
  process.exit(1);
});
