/**
 * `npm run bench`: speed and cost against the floor, in one run, on this machine. Starts DynamoDB Local in
 * memory, seeds a tenant through the real use cases, measures every route's handler against the raw DynamoDB
 * requests it needs, and every Lambda's bundle and cold start against an empty handler; writes
 * bench/results.json and bench/RESULTS.md and prints the table. Exits non-zero only when it could not measure;
 * a budget not met is a finding, never a failure.
 *
 * `--smoke`: a few iterations on a tiny tenant, for `npm test` (no figures asserted).
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport } from './lib/report';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, out: { type: 'string', default: 'bench' } } });
  const smoke = values.smoke;
  const log = (line: string) => console.log(line);
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
    await ensureTable(createDynamoClient({ endpoint: dynamo.endpoint }), tableName);
    const recorder = recordingClient(dynamo.endpoint);
    const deps = createDeps({ tableName, client: recorder.client });
    useRuntimeDeps(deps);
    const { createLocalApprovalEngine } = await import('../infra/local/local-workflow');
    const { useApprovalEngine } = await import('../functions/shared/approval-engine');
    const { handler: approvalTasks } = await import('../functions/workflows/approval-tasks');
    const approvals = createLocalApprovalEngine({ handler: approvalTasks });
    useApprovalEngine(approvals);

    const customers = smoke ? 5 : 300;
    log(`Seeding ${customers} customers (with contacts, activities, opportunities)…`);
    const { seedTenant } = await import('./seed');
    const seedStart = performance.now();
    await seedTenant(deps, 'bench-tenant', customers);
    log(`  seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const { loadHandlers } = await import('../infra/local/local-api');
    const { routes } = await import('../functions/http/routes');
    const { measureLatency } = await import('./latency');
    log('\nLatency per route (handler in-process vs the same DynamoDB requests raw):');
    const latency = await measureLatency({
      deps,
      recorder,
      floorClient: createDynamoClient({ endpoint: dynamo.endpoint }),
      handlers: await loadHandlers(),
      approvals,
      tenant: 'bench-tenant',
      routes: smoke ? routes.filter((route) => ['getCustomer', 'listCustomers', 'createCustomer'].includes(route.id)) : routes,
      iterations: smoke ? 3 : 40,
      warmup: smoke ? 1 : 5,
      log,
    });
    approvals.stop();

    const { measureColdStarts } = await import('./cold-start');
    log('\nBundles and cold starts (fresh Node process: import + init):');
    const coldStarts = await measureColdStarts({
      runs: smoke ? 1 : 10,
      env: { ...process.env, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: dynamo.endpoint },
      log,
    });

    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`;
    const results = buildReport({ latency, coldStarts, customers, machine, date: new Date().toISOString() });
    const outDir = values.out ?? 'bench';
    writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results.json, null, 2)}\n`);
    writeFileSync(join(outDir, 'RESULTS.md'), results.markdown);
    log(`\n${results.markdown}`);
    if (latency.every((row) => row.handler === undefined)) throw new Error('No route could be measured');
  } finally {
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error('bench: could not measure:', error instanceof Error ? error.stack : error);
  process.exit(1);
});
