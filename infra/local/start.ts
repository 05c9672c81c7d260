/**
 * `npm start`: the whole system on this machine — DynamoDB Local (data on disk under .local/, or
 * `--in-memory`; on 127.0.0.1 only), the table from the CDK definition, the demo tenant, the API on
 * http://localhost:3000 (`PORT`; on 127.0.0.1 only unless `HOST` says otherwise), the job endpoint of
 * `npm run job` (behind a secret made each start), and the outbox relay: a stream poller feeding the table's new
 * domain events through the same handler the Lambda runs to a local event bus, which logs them; and the contract
 * approval workflow (the ASL CDK synthesizes, on aws-local-stepfunctions). Ctrl-C stops everything.
 */
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Before any import of functions/shared/runtime: its Powertools logger reads the level when it is created.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// No CloudWatch here: metrics (EMF lines) are not written, and the Tracer is off (it also is without AWS_EXECUTION_ENV).
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';

const TABLE_NAME = 'salesflow-local';
const EVENT_BUS_NAME = 'salesflow-local';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'in-memory': { type: 'boolean', default: false },
      // Where the data lives (DynamoDB Local's files, the stream checkpoints, parked events): .local unless told.
      'data-dir': { type: 'string', default: '.local' },
    },
  });
  const dataDir = values['data-dir'];
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`PORT must be a port number, not "${process.env.PORT}"`);
  // The loopback interface unless HOST names another address (HOST=0.0.0.0: every interface).
  const host = process.env.HOST || '127.0.0.1';
  const probe = await tryListen(port, host);
  if (probe === 'EADDRINUSE') fail(`Port ${port} is already in use. Stop what uses it, or choose another: PORT=3001 npm start`);
  if (probe) fail(`Cannot listen on HOST "${host}" (${probe}): it must be an address of this machine, e.g. 127.0.0.1 (the default) or 0.0.0.0`);

  const { startDynamoDbLocal, LocalRuntimeError } = await import('./dynamodb-local');
  let dynamo;
  try {
    dynamo = await startDynamoDbLocal({ dataDir: values['in-memory'] ? undefined : `${dataDir}/dynamodb` });
  } catch (error) {
    if (error instanceof LocalRuntimeError) fail(error.message);
    throw error;
  }
  // From here on, a failed start must not leave DynamoDB Local running behind us.
  const started = dynamo;
  cleanupOnFailure = () => started.stop();
  process.env.TABLE_NAME = TABLE_NAME;
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.EVENT_BUS_NAME = EVENT_BUS_NAME;
  process.env.STAGE = 'local';
  // Approval steps escalate after 15 minutes here (a stage's config says days), so escalation can be seen;
  // APPROVAL_TIMEOUT_SECONDS=60 npm start shortens it further. Policy levels with their own timeout keep it.
  process.env.APPROVAL_TIMEOUT_SECONDS ??= String(15 * 60);

  const { ensureTable } = await import('./create-table');
  const { createDynamoClient, runtimeDeps } = await import('../../functions/shared/runtime');
  const { seedDemoTenant, DEMO_TENANT, DEMO_USERS } = await import('./seed');
  const { loadOrCreateCursorSecret, loadOrCreateDevKeys, loadOrCreateLinkSecret, signDevToken } = await import('./dev-auth');
  const { createLocalApprovalEngine } = await import('./local-workflow');
  const { useApprovalEngine } = await import('../../functions/shared/approval-engine');
  const { handler: approvalTasks } = await import('../../functions/workflows/approval-tasks');
  const { handler: reminders } = await import('../../functions/schedules/reminders');
  const { handler: kpiRollup } = await import('../../functions/schedules/kpi-rollup');
  const { startLocalScheduler } = await import('./local-scheduler');
  const { stageConfig } = await import('../config/stages');
  const { createLocalApi, JobUsageError, listenLocalApi, loadHandlers } = await import('./local-api');
  const { createJobSecret } = await import('./job-secret');
  const { provideOpenApiDocument } = await import('../openapi/write');
  const { createLocalEventBus } = await import('./local-event-bus');
  const { fileCheckpointStore, fileDeadLetterStore, memoryDeadLetterStore, redriveDeadLetters, startStreamPoller } = await import('./stream-poller');
  const { createPublishEventsHandler, tableFeedChangeNote } = await import('../../functions/streams/publish-events');

  await ensureTable(createDynamoClient({ endpoint: dynamo.endpoint }), TABLE_NAME);
  // The outbox relay: from the stream's start (TRIM_HORIZON, or where the previous run stopped), so nothing
  // written before it runs is missed.
  const eventLog = heldBackLog();
  const bus = createLocalEventBus({ name: EVENT_BUS_NAME, log: eventLog.log });
  const relay = createPublishEventsHandler(bus, { eventBusName: EVENT_BUS_NAME, noteFeedChanges: tableFeedChangeNote(runtimeDeps().db) });
  // What the relay still cannot publish after every retry is parked here (on AWS: the dead-letter queue).
  const deadLetters = values['in-memory'] ? memoryDeadLetterStore() : fileDeadLetterStore(`${dataDir}/outbox-dead-letters.json`);
  const poller = await startStreamPoller({
    endpoint: dynamo.endpoint,
    tableName: TABLE_NAME,
    handler: relay,
    deadLetters,
    // On disk the stream survives restarts: resume where the last run stopped instead of republishing.
    checkpoints: values['in-memory'] ? undefined : fileCheckpointStore(`${dataDir}/stream-checkpoints.json`),
    log: eventLog.log,
  });
  process.env.APPROVAL_LINK_SECRET ??= loadOrCreateLinkSecret();
  process.env.CURSOR_SECRET ??= loadOrCreateCursorSecret();
  const approvals = createLocalApprovalEngine({ handler: approvalTasks, log: eventLog.log });
  useApprovalEngine(approvals);
  const seeded = await seedDemoTenant(runtimeDeps(), approvals);
  // Approval steps left pending by an earlier run wait again, where they stood (their executions were in memory).
  const { resumePendingApprovals } = await import('./resume-approvals');
  const resumed = await resumePendingApprovals(runtimeDeps(), approvals, eventLog.log);
  const keys = await loadOrCreateDevKeys();
  // The dev stage's schedule expressions, fired here; `npm run job -- reminders` runs one now.
  const jobs = {
    reminders: () => reminders(),
    'redrive-events': () => redriveDeadLetters(deadLetters, relay),
    'kpi-rollup': (args: readonly string[] = []) => kpiRollup(kpiRollupInput(args, JobUsageError)),
  };
  const { remindersRate, kpiRollupRate } = stageConfig('dev').schedules;
  const stopSchedules = startLocalScheduler(
    [
      { name: 'reminders', expression: remindersRate, run: jobs.reminders },
      { name: 'kpi-rollup', expression: kpiRollupRate, run: () => jobs['kpi-rollup']() },
    ],
    eventLog.log,
  );
  // GET /openapi.json serves the document generated from the route table now, as the stack does at synth.
  provideOpenApiDocument('.local/openapi.json');
  // A new secret each start, for `npm run job` only (.local/job-secret-<port>, 0600): see ./job-secret.ts.
  const jobSecret = createJobSecret(port);
  const server = createLocalApi({ handlers: await loadHandlers(), keys, jobs, jobSecret: jobSecret.secret, log: (line) => console.log(line) });
  await listenLocalApi(server, port, host);

  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(host);
  const base = `http://${loopback || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`;
  console.log(`\nSalesflow is running (${values['in-memory'] ? 'in memory' : `data in ${dataDir}/dynamodb`})`);
  console.log(`  API          ${base}   (try ${base}/health)`);
  console.log(
    loopback
      ? `               listening on ${host}:${port} only (HOST=0.0.0.0 npm start to be reachable from other machines)`
      : `               listening on ${host}:${port}: other machines can reach it (they still need a token signed by this checkout's key)`,
  );
  console.log(`  API docs     ${base}/docs   (OpenAPI: ${base}/openapi.json)`);
  console.log(
    dynamo.listensOn === 'every interface'
      ? `  DynamoDB     ${dynamo.endpoint}   table ${TABLE_NAME}, listening on EVERY interface: this Java has no compiler (jdk.compiler) to bind it to 127.0.0.1; install a JDK`
      : `  DynamoDB     ${dynamo.endpoint}   table ${TABLE_NAME}, listening on ${dynamo.listensOn} only`,
  );
  console.log(`  Approvals    the approval state machine (same ASL as CDK) runs here; steps escalate after ${process.env.APPROVAL_TIMEOUT_SECONDS} s`);
  if (resumed > 0) console.log(`               ${resumed} pending step${resumed === 1 ? '' : 's'} of an earlier run resumed where they stood`);
  console.log(`  Schedules    reminders ${remindersRate} (run one now: npm run job -- reminders; it sends the secret in ${jobSecret.file})`);
  console.log(`               kpi-rollup ${kpiRollupRate} (npm run job -- kpi-rollup; --recompute FY2027-Q1 --tenant ${DEMO_TENANT} rebuilds a period)`);
  console.log(`  Events       domain events are published to the local bus "${EVENT_BUS_NAME}" and logged here ([bus] …)`);
  console.log(`  Demo tenant  ${DEMO_TENANT} (${seeded === 'seeded' ? 'seeded now' : 'already seeded'})\n`);
  console.log('Tokens for the demo users (valid 12 h; more with `npm run token -- --tenant acme --role rep --sub bob`):');
  for (const user of DEMO_USERS) {
    const token = await signDevToken(keys, { tenant: DEMO_TENANT, roles: [user.role], sub: user.sub });
    console.log(`  ${user.role.padEnd(8)} ${user.sub.padEnd(6)} ${token}`);
  }
  console.log(`\nExample:\n  curl -H "Authorization: Bearer <token>" ${base}/customers\n\nCtrl-C stops everything.`);
  // The events (the seed's among them) are held back until the banner is out, then logged as they come.
  eventLog.flush();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    jobSecret.remove();
    approvals.stop();
    stopSchedules();
    // Before DynamoDB Local: a poll in progress finishes instead of failing against a stopped endpoint.
    await poller.stop();
    await dynamo.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Console lines kept until `flush()`, then printed as they come. */
function heldBackLog() {
  let held: string[] | undefined = [];
  return {
    log: (line: string) => (held ? held.push(line) : console.log(line)),
    flush() {
      for (const line of held ?? []) console.log(line);
      held = undefined;
    },
  };
}

/** Whether the API could listen there: `undefined` if so, else the error's code (EADDRINUSE, EADDRNOTAVAIL…). */
function tryListen(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}

function fail(message: string): never {
  console.error(`salesflow: ${message}`);
  process.exit(1);
}

let cleanupOnFailure: (() => Promise<void>) | undefined;

main().catch(async (error: unknown) => {
  console.error('salesflow: could not start:', error instanceof Error ? error.message : error);
  await cleanupOnFailure?.().catch(() => undefined);
  process.exit(1);
});

/** `--recompute <period> --tenant <id>` → the job's input; anything else is a usage error (400). */
function kpiRollupInput(args: readonly string[], UsageError: new (message: string) => Error) {
  const usage = 'kpi-rollup takes no options, or --recompute <period id> --tenant <tenant id>';
  if (args.length === 0) return null;
  const options = new Map<string, string>();
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], args[index + 1]];
    if ((flag !== '--recompute' && flag !== '--tenant') || value === undefined || options.has(flag)) throw new UsageError(usage);
    options.set(flag, value);
  }
  const period = options.get('--recompute');
  const tenantId = options.get('--tenant');
  if (!period || !tenantId) throw new UsageError(usage);
  return { recompute: { period, tenantId } };
}
