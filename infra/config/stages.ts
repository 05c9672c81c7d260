/**
 * Typed per-stage settings. Deliberately free of aws-cdk-lib runtime imports: the local runtime (scheduler,
 * approval workflow runner) reads the same schedule expressions and timeouts without loading CDK.
 */
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { FunctionName } from '../../functions/shared/route';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** What one Lambda may use. */
export interface FunctionLimits {
  memoryMb: number;
  timeoutSeconds: number;
  /**
   * Reserved concurrency: capacity kept for this function out of the account's regional pool, and its cap (more
   * concurrent invocations are throttled). Unset: nothing reserved, no cap but the account's.
   */
  reservedConcurrency?: number;
}

/** Requests per second (steady state) and burst (token bucket size) of API Gateway's throttle. */
export interface ThrottleLimits {
  rateLimit: number;
  burstLimit: number;
}

export interface StageConfig {
  stage: Stage;
  /** Unset values make the stacks environment-agnostic (`cdk synth` works without credentials). */
  env: { account?: string; region?: string };
  /** What happens to stateful resources (table, user pool, log groups) when their stack is deleted. */
  removalPolicy: 'retain' | 'destroy';
  /** CloudFormation termination protection on both stacks. */
  terminationProtection: boolean;
  table: {
    pointInTimeRecovery: boolean;
    deletionProtection: boolean;
    /**
     * On-demand maximum throughput (request units per second) of the table and of each of its indexes: a bug
     * or a flood of requests is throttled there instead of running up an unbounded bill.
     */
    maxReadRequestUnits: number;
    maxWriteRequestUnits: number;
  };
  /** Cognito Plus feature plan with threat protection (adaptive authentication, compromised credentials). */
  userPoolThreatProtection: boolean;
  /** Retention of Lambda and API access log groups (a RetentionDays value, i.e. days). */
  logRetention: RetentionDays;
  logLevel: LogLevel;
  /** Memory, timeout and reserved concurrency of each function (infra/stacks/stateless-stack.ts). */
  lambda: {
    /** Every HTTP function (one per bounded context), unless `httpFunctions` says otherwise for one. */
    http: FunctionLimits;
    httpFunctions: Partial<Record<FunctionName, Partial<FunctionLimits>>>;
    /** The outbox relay (table stream → EventBridge): batches of up to 100 records, up to 10 PutEvents calls each. */
    outboxRelay: FunctionLimits;
    /** The reminder job: works through everything due, a backlog after an outage included. */
    reminders: FunctionLimits;
    /**
     * The KPI rollup job: the feed since each tenant's watermark on a scheduled run; all of one tenant's records
     * on an operator's recompute of a period (domain/analytics/recompute.ts).
     */
    kpiRollup: FunctionLimits;
    /** The approval state machine's tasks: a few reads and one transaction each. */
    approvalTasks: FunctionLimits;
  };
  api: {
    /** The default of every route of the stage: requests per second (steady state) and burst. */
    throttlingRateLimit: number;
    throttlingBurstLimit: number;
    /**
     * Routes without a token (the route table's `access: 'public'`: approval links, health, the API
     * description): anyone on the internet can call them, so each gets this much tighter limit.
     */
    publicRouteThrottle: ThrottleLimits;
    /** Browser origins allowed by CORS. Tokens travel in the Authorization header (no cookies), so `*` is safe in dev. */
    corsAllowOrigins: readonly string[];
  };
  alarms: { enabled: boolean };
  /** EventBridge schedule expressions, read by CDK and by the local scheduler. */
  schedules: { remindersRate: string; kpiRollupRate: string };
  /** TimeoutSeconds of each waiting approval task before it escalates. */
  approvalTaskTimeoutSeconds: number;
}

const DAY = 24 * 60 * 60;

function webOrigins(fallback: string): readonly string[] {
  const fromEnv = process.env.SALESFLOW_WEB_ORIGINS?.split(',').map((origin) => origin.trim()).filter(Boolean);
  return fromEnv && fromEnv.length > 0 ? fromEnv : [fallback];
}

function build(stage: Stage): StageConfig {
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  switch (stage) {
    case 'dev':
      return {
        stage,
        env,
        removalPolicy: 'destroy',
        terminationProtection: false,
        table: { pointInTimeRecovery: false, deletionProtection: false, maxReadRequestUnits: 200, maxWriteRequestUnits: 100 },
        userPoolThreatProtection: false,
        logRetention: 7,
        logLevel: 'DEBUG',
        // Nothing reserved in dev: it often shares an account with other work, and an account with a reduced
        // concurrency quota (new accounts may start at 10) refuses any reservation. The API throttle bounds it.
        lambda: {
          http: { memoryMb: 512, timeoutSeconds: 10 },
          httpFunctions: { system: { timeoutSeconds: 3 } },
          outboxRelay: { memoryMb: 512, timeoutSeconds: 30 },
          reminders: { memoryMb: 512, timeoutSeconds: 300 },
          // Lambda's maximum (900 s) on every stage: a recompute of a quarter of a large tenant reads all its
          // records (queries, never a scan) and rewrites the period's aggregates; a scheduled run is far shorter.
          kpiRollup: { memoryMb: 512, timeoutSeconds: 900 },
          approvalTasks: { memoryMb: 512, timeoutSeconds: 10 },
        },
        api: { throttlingRateLimit: 20, throttlingBurstLimit: 40, publicRouteThrottle: { rateLimit: 5, burstLimit: 10 }, corsAllowOrigins: ['*'] },
        alarms: { enabled: false },
        schedules: { remindersRate: 'rate(15 minutes)', kpiRollupRate: 'rate(1 hour)' },
        approvalTaskTimeoutSeconds: 1 * DAY,
      };
    case 'staging':
      return {
        stage,
        env,
        removalPolicy: 'destroy',
        terminationProtection: false,
        table: { pointInTimeRecovery: true, deletionProtection: false, maxReadRequestUnits: 1000, maxWriteRequestUnits: 500 },
        userPoolThreatProtection: true,
        logRetention: 30,
        logLevel: 'INFO',
        // 101 reserved in all (about a tenth of the default regional quota of 1,000).
        lambda: {
          http: { memoryMb: 1024, timeoutSeconds: 10, reservedConcurrency: 5 },
          httpFunctions: {
            customers: { reservedConcurrency: 10 },
            pipeline: { reservedConcurrency: 10 },
            tasks: { reservedConcurrency: 10 },
            notifications: { reservedConcurrency: 10 },
            system: { timeoutSeconds: 3, reservedConcurrency: 2 },
            // Targets and forecast calls are set a few times a period: light traffic.
            analytics: { reservedConcurrency: 2 },
          },
          outboxRelay: { memoryMb: 512, timeoutSeconds: 30, reservedConcurrency: 4 },
          reminders: { memoryMb: 1024, timeoutSeconds: 300, reservedConcurrency: 2 },
          // One run at a time (overlapping runs are safe but wasteful); 900 s, Lambda's maximum, for a recompute.
          kpiRollup: { memoryMb: 1024, timeoutSeconds: 900, reservedConcurrency: 1 },
          approvalTasks: { memoryMb: 1024, timeoutSeconds: 10, reservedConcurrency: 5 },
        },
        api: {
          throttlingRateLimit: 50,
          throttlingBurstLimit: 100,
          publicRouteThrottle: { rateLimit: 5, burstLimit: 10 },
          corsAllowOrigins: webOrigins('https://staging.app.salesflow.example'),
        },
        alarms: { enabled: true },
        schedules: { remindersRate: 'rate(15 minutes)', kpiRollupRate: 'rate(1 hour)' },
        approvalTaskTimeoutSeconds: 3 * DAY,
      };
    case 'prod':
      return {
        stage,
        env,
        removalPolicy: 'retain',
        terminationProtection: true,
        table: { pointInTimeRecovery: true, deletionProtection: true, maxReadRequestUnits: 4000, maxWriteRequestUnits: 2000 },
        userPoolThreatProtection: true,
        logRetention: 365,
        logLevel: 'INFO',
        // 418 reserved in all: under 42% of the default regional quota of 1,000, so staging (101) fits beside it
        // in one account and 481 stay unreserved (Lambda keeps at least 100 unreserved) for anything else.
        // The busiest contexts (what reps work all day, and the notifications clients poll) get 50 each: at
        // Lambda's ~20–100 ms per request that is 500–2,500 requests per second, the stage's route default.
        lambda: {
          http: { memoryMb: 1024, timeoutSeconds: 10, reservedConcurrency: 20 },
          httpFunctions: {
            customers: { reservedConcurrency: 50 },
            pipeline: { reservedConcurrency: 50 },
            tasks: { reservedConcurrency: 50 },
            notifications: { reservedConcurrency: 50 },
            system: { timeoutSeconds: 3, reservedConcurrency: 5 },
            // Targets and forecast calls (set a few times a period, read by managers): half the default.
            analytics: { reservedConcurrency: 10 },
          },
          // One concurrent invocation per stream shard; 10 shards is far beyond the table's maximum throughput.
          outboxRelay: { memoryMb: 512, timeoutSeconds: 30, reservedConcurrency: 10 },
          // One run, and one more a retried or overlapping delivery may start (runs are idempotent).
          reminders: { memoryMb: 1024, timeoutSeconds: 300, reservedConcurrency: 2 },
          // One run at a time: the normal case is one run an hour, and overlapping runs are safe (every write is
          // conditional on the versions read) but only repeat each other's reads. A recompute an operator starts
          // meanwhile is throttled, and the asynchronous invoke retries it. 900 s is Lambda's maximum: a recompute
          // of a quarter of a large tenant reads all its records.
          kpiRollup: { memoryMb: 1024, timeoutSeconds: 900, reservedConcurrency: 1 },
          approvalTasks: { memoryMb: 1024, timeoutSeconds: 10, reservedConcurrency: 10 },
        },
        api: {
          throttlingRateLimit: 500,
          throttlingBurstLimit: 1000,
          publicRouteThrottle: { rateLimit: 10, burstLimit: 20 },
          corsAllowOrigins: webOrigins('https://app.salesflow.example'),
        },
        alarms: { enabled: true },
        schedules: { remindersRate: 'rate(15 minutes)', kpiRollupRate: 'rate(1 hour)' },
        approvalTaskTimeoutSeconds: 7 * DAY,
      };
  }
}

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/** The settings of a stage; throws with the list of valid stages for anything else. */
export function stageConfig(stage: string): StageConfig {
  if (!isStage(stage)) {
    throw new Error(`Unknown stage "${stage}": expected one of ${STAGES.join(', ')} (cdk ... -c stage=<stage>)`);
  }
  return build(stage);
}

/** An HTTP function's limits: the stage's HTTP default with that function's own settings on top. */
export function httpFunctionLimits(config: StageConfig, name: FunctionName): FunctionLimits {
  return { ...config.lambda.http, ...config.lambda.httpFunctions[name] };
}
