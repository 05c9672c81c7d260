/**
 * Typed per-stage settings. Deliberately free of aws-cdk-lib runtime imports: the local runtime (scheduler,
 * approval workflow runner) reads the same schedule expressions and timeouts without loading CDK.
 */
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface StageConfig {
  stage: Stage;
  /** Unset values make the stacks environment-agnostic (`cdk synth` works without credentials). */
  env: { account?: string; region?: string };
  /** What happens to stateful resources (table, user pool, log groups) when their stack is deleted. */
  removalPolicy: 'retain' | 'destroy';
  /** CloudFormation termination protection on both stacks. */
  terminationProtection: boolean;
  table: { pointInTimeRecovery: boolean; deletionProtection: boolean };
  /** Cognito Plus feature plan with threat protection (adaptive authentication, compromised credentials). */
  userPoolThreatProtection: boolean;
  /** Retention of Lambda and API access log groups (a RetentionDays value, i.e. days). */
  logRetention: RetentionDays;
  logLevel: LogLevel;
  lambda: { memoryMb: number; timeoutSeconds: number };
  api: {
    /** Steady-state requests per second for the default stage. */
    throttlingRateLimit: number;
    throttlingBurstLimit: number;
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
        table: { pointInTimeRecovery: false, deletionProtection: false },
        userPoolThreatProtection: false,
        logRetention: 7,
        logLevel: 'DEBUG',
        lambda: { memoryMb: 512, timeoutSeconds: 10 },
        api: { throttlingRateLimit: 20, throttlingBurstLimit: 40, corsAllowOrigins: ['*'] },
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
        table: { pointInTimeRecovery: true, deletionProtection: false },
        userPoolThreatProtection: true,
        logRetention: 30,
        logLevel: 'INFO',
        lambda: { memoryMb: 1024, timeoutSeconds: 10 },
        api: { throttlingRateLimit: 50, throttlingBurstLimit: 100, corsAllowOrigins: webOrigins('https://staging.app.salesflow.example') },
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
        table: { pointInTimeRecovery: true, deletionProtection: true },
        userPoolThreatProtection: true,
        logRetention: 365,
        logLevel: 'INFO',
        lambda: { memoryMb: 1024, timeoutSeconds: 10 },
        api: { throttlingRateLimit: 500, throttlingBurstLimit: 1000, corsAllowOrigins: webOrigins('https://app.salesflow.example') },
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
