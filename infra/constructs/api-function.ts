import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/shared/metric-names';
import { LAMBDA_BUNDLE } from '../bundling/lambda-bundle';
import type { LogLevel, Stage } from '../config/stages';

/** The repository root: the esbuild project root and home of package-lock.json. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ApiFunctionProps {
  /** Absolute path of the module exporting `handler`, inside the repository. */
  entry: string;
  stage: Stage;
  /** Handed over as TABLE_NAME; omit for functions that do not use the table (e.g. stream consumers). */
  tableName?: string;
  logLevel: LogLevel;
  logRetention: RetentionDays;
  /** Applies to the log group. */
  removalPolicy: RemovalPolicy;
  memorySize: number;
  timeout: Duration;
  /** Capacity kept for it in the account's concurrency pool, and its cap (stage config); unset: none. */
  reservedConcurrency?: number;
  description?: string;
  /** Extra variables on top of the standard ones. */
  environment?: Record<string, string>;
  /**
   * Files copied into the bundle beside the handler module, by their name there → their path on this machine
   * (bundling is local, with esbuild): e.g. the OpenAPI document the system function serves.
   */
  bundleFiles?: Record<string, string>;
}

/**
 * A Lambda function with Salesflow's defaults: Node 22 on arm64, ESM bundle built by the local esbuild
 * (infra/bundling/lambda-bundle.ts), X-Ray active tracing, Powertools' service name, log level and metrics
 * namespace, its own log group with stage retention, and its own role that may only write to that log group.
 * Callers grant anything else explicitly.
 */
export class ApiFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy, which allows writing to every log
    // group of the account; this one may only write to the function's own log group.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: {
        ...(props.tableName !== undefined && { TABLE_NAME: props.tableName }),
        STAGE: props.stage,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        // Metrics are log lines (Embedded Metric Format) in the function's own log group: no extra permission.
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: true,
        sourcesContent: false,
        externalModules: [...LAMBDA_BUNDLE.external],
        esbuildArgs: {
          '--tree-shaking': 'true',
          ...Object.fromEntries(Object.entries(LAMBDA_BUNDLE.alias).map(([name, file]) => [`--alias:${name}`, file])),
        },
        banner: LAMBDA_BUNDLE.banner,
        ...(props.bundleFiles && { commandHooks: copyIntoBundle(props.bundleFiles) }),
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so CDK grants them on "*" (test/infra asserts that only X-Ray actions have a "*" resource).',
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is pinned on purpose (DESIGN: Lambda runs nodejs22.x, the version dependencies and tests are verified against); moving to nodejs24.x is a deliberate upgrade, not drift.',
    });
  }
}

/** Command hooks that copy files into the bundle once esbuild has written it (run by bash, in the repository). */
function copyIntoBundle(files: Record<string, string>): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      Object.entries(files).map(([name, source]) => `cp ${shellQuote(source)} ${shellQuote(join(outputDir, name))}`),
  };
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
