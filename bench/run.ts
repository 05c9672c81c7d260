/**
 * `npm run bench`: speed and cost against the floor, in one run, on this machine. Starts DynamoDB Local in
 * memory, seeds two tenants (10× apart) from units written by the real use cases, measures every route's handler
 * against the raw DynamoDB requests it needs, every collection read and scheduled job at both sizes, the local
 * HTTP server under a mixed load, and every Lambda's bundle and cold start against an empty handler; writes
 * bench/results.json and bench/RESULTS.md and prints the tables. Exits non-zero only when it could not measure;
 * a budget not met is a finding, never a failure.
 *
 * `--smoke`: a few iterations on tiny tenants, for `npm test` (no figures asserted).
 * `--routes getCustomer,listCustomers`: only those routes of the route table (route ids).
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport } from './lib/report';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { smoke: { type: 'boolean', default: false }, out: { type: 'string', default: 'bench' }, routes: { type: 'string' } },
  });
  const smoke = values.smoke;
  const log = (line: string) => console.log(line);
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
    measureColdStarts({ runs: smoke ? 1 : 10, env: { ...process.env, TABLE_NAME: 'bench', AWS_REGION: process.env.AWS_REGION ?? 'eu-west-1' }, log }),
  );

  const { startDynamoDbLocal } = await import('../infra/local/dynamodb-local');
  const dynamo = await startDynamoDbLocal({});
  try {
    const tableName = 'bench';
    process.env.TABLE_NAME = tableName;
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    process.env.APPROVAL_LINK_SECRET = 'bench-link-secret-bench-link-secret';
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

    const sizes = smoke ? { small: 10, large: 100 } : { small: 1_000, large: 10_000 };
    const tenants = { small: 'bench-small', large: 'bench-large' };
    log(`\nSeeding two tenants: ${sizes.small} and ${sizes.large} customers (with contacts, activities, opportunities across stages)…`);
    const { cloneTenant, seedReps, templateUnits } = await import('./seed');
    const rawClient = createDynamoClient({ endpoint: dynamo.endpoint });
    const items = await phase('seeding', async () => {
      const templates = await templateUnits(deps, rawClient, tableName);
      let written = 0;
      for (const size of ['small', 'large'] as const) {
        written += await cloneTenant({ client: rawClient, tableName, templates, tenant: tenants[size], customers: sizes[size] });
        await seedReps(deps, tenants[size]);
      }
      return written;
    });
    log(`  ${items} items in ${phases.seeding} s`);

    const { loadHandlers } = await import('../infra/local/local-api');
    const { provideOpenApiDocument } = await import('../infra/openapi/write');
    // GET /openapi.json serves the document generated from the route table (CDK copies it into the bundle).
    provideOpenApiDocument(join('bench', '.out', 'openapi.json'));
    const { routes } = await import('../functions/http/routes');
    const { measureLatency } = await import('./latency');
    const handlers = await loadHandlers();
    // `--routes id,id`: only those routes (to judge one change quickly); the smoke run has its own few.
    const only = values.routes?.split(',');
    const chosen = (smokeIds?: string[]) => routes.filter((route) => (only ?? smokeIds ?? [route.id]).includes(route.id));
    const measuring = { deps, recorder, floorClient: rawClient, handlers, approvals };
    // Before the latency run: its fixtures (products, contracts…) would make the large tenant's lists longer.
    const { measureScale } = await import('./scale');
    log(`\nScale: collection reads at ${sizes.small} vs ${sizes.large} customers:`);
    const scale = await phase('scale', () =>
      measureScale({
        ...measuring,
        tenants,
        routes: chosen(smoke ? ['listCustomers'] : undefined),
        iterations: smoke ? 2 : 12,
        warmup: smoke ? 1 : 3,
        log,
    }),
    );

    log(`\nLatency per route on the ${sizes.large}-customer tenant (handler in-process vs the same DynamoDB requests raw):`);
    const latency = await phase('latency', () =>
      measureLatency({
        ...measuring,
        tenant: tenants.large,
        routes: chosen(smoke ? ['getCustomer', 'listCustomers', 'createCustomer'] : undefined),
        iterations: smoke ? 3 : 20,
        warmup: smoke ? 1 : 3,
        log,
    }),
    );

    const { measureJobs } = await import('./jobs');
    log('\nScheduled jobs at both sizes, same changes:');
    const jobs = await phase('jobs', () => measureJobs({ deps, recorder, tenants, changes: smoke ? 2 : 40, log }));
    approvals.stop();

    log('\nHTTP: the local server under a mixed load:');
    const http = await phase('HTTP load', () => measureHttpOverLocalApi({ handlers, tenant: tenants.large, smoke, log }));

    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`;
    phases.total = Math.round((performance.now() - runStart) / 1000);
    const results = buildReport({ latency, scale, jobs, http, coldStarts, sizes, seededItems: items, phases, machine, date: new Date().toISOString() });
    const outDir = values.out ?? 'bench';
    writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results.json, null, 2)}\n`);
    writeFileSync(join(outDir, 'RESULTS.md'), results.markdown);
    log(`\n${results.markdown}`);
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
