/** The CDK entry point and the stage settings, without a full synthesis per stage. */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { BUNDLING_STACKS, CDK_APP_MODE_CONTEXT } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { createStacks } from '../../infra/app';
import { FUNCTIONS } from '../../functions/http/routes';
import { httpFunctionLimits, type Stage, STAGES, type StageConfig, stageConfig } from '../../infra/config/stages';
import { REPO_ROOT } from '../../infra/constructs/api-function';

const run = promisify(execFile);

describe('stage settings', () => {
  it.each(STAGES)('has its own settings for %s', (stage) => {
    expect(stageConfig(stage).stage).toBe(stage);
  });

  it('refuses a stage it does not know, naming the ones it does', () => {
    expect(() => stageConfig('qa')).toThrow('Unknown stage "qa": expected one of dev, staging, prod');
  });

  it('keeps prod data and throws dev data away', () => {
    expect(stageConfig('prod')).toMatchObject({ removalPolicy: 'retain', terminationProtection: true });
    expect(stageConfig('dev')).toMatchObject({ removalPolicy: 'destroy', terminationProtection: false });
  });

  it.each(STAGES)('%s has valid schedule expressions and a bounded approval timeout', (stage) => {
    const config = stageConfig(stage);
    for (const expression of Object.values(config.schedules)) {
      expect(expression).toMatch(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/);
    }
    // Node timers overflow beyond ~24.8 days, which the local Step Functions runner relies on (DESIGN).
    expect(config.approvalTaskTimeoutSeconds).toBeGreaterThan(0);
    expect(config.approvalTaskTimeoutSeconds).toBeLessThan(24 * 24 * 60 * 60);
  });

  it('leaves headroom in the account: every stage together reserves at most 55% of the default quota of 1,000, prod under 45%', () => {
    const reserved = (config: StageConfig) =>
      [
        ...FUNCTIONS.map((name) => httpFunctionLimits(config, name)),
        config.lambda.outboxRelay,
        config.lambda.reminders,
        config.lambda.kpiRollup,
        config.lambda.approvalTasks,
      ].reduce((sum, limits) => sum + (limits.reservedConcurrency ?? 0), 0);
    const totals = Object.fromEntries(STAGES.map((stage) => [stage, reserved(stageConfig(stage))])) as Record<Stage, number>;
    expect(totals).toEqual({ dev: 0, staging: 101, prod: 418 });
    // Lambda keeps 100 of the regional quota unreserved; the rest of the half is for whatever else the account runs.
    expect(totals.dev + totals.staging + totals.prod).toBeLessThanOrEqual(550);
    expect(totals.prod).toBeLessThan(450);
  });

  it.each(STAGES)('%s gives the KPI rollup Lambda\'s maximum timeout, and one run at a time where the stage reserves concurrency', (stage) => {
    const { lambda } = stageConfig(stage);
    // A recompute of a quarter of a large tenant reads all of its records (domain/analytics/recompute.ts).
    expect(lambda.kpiRollup.timeoutSeconds).toBe(900);
    expect(lambda.kpiRollup.reservedConcurrency).toBe(lambda.http.reservedConcurrency === undefined ? undefined : 1);
  });

  it.each(STAGES)('%s limits the public routes more tightly than the others, and caps the table', (stage) => {
    const { api, table } = stageConfig(stage);
    expect(api.publicRouteThrottle.rateLimit).toBeLessThan(api.throttlingRateLimit);
    expect(api.publicRouteThrottle.burstLimit).toBeLessThan(api.throttlingBurstLimit);
    expect(table.maxReadRequestUnits).toBeGreaterThan(0);
    expect(table.maxWriteRequestUnits).toBeGreaterThan(0);
  });

  it('reads the deployment account and region from the CDK environment', () => {
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    try {
      process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
      process.env.CDK_DEFAULT_REGION = 'eu-central-1';
      expect(stageConfig('staging').env).toEqual({ account: '123456789012', region: 'eu-central-1' });
    } finally {
      for (const [key, value] of [['CDK_DEFAULT_ACCOUNT', saved.account], ['CDK_DEFAULT_REGION', saved.region]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('infra/app.ts', () => {
  it('fails with a clear message for an unknown stage', async () => {
    const result = run('npx', ['tsx', 'infra/app.ts'], {
      cwd: REPO_ROOT,
      // What `cdk synth -c stage=qa` hands to the app.
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ stage: 'qa' }) },
    });
    await expect(result).rejects.toMatchObject({ stderr: expect.stringContaining('Unknown stage "qa"') });
  });

  it('registers cdk-nag so that an unacknowledged finding fails synthesis', () => {
    const app = new App({
      // Without bundling and CloudFormation schema validation: this is about cdk-nag only, and fast.
      context: { [BUNDLING_STACKS]: [], [CDK_APP_MODE_CONTEXT]: 'inmemory' },
      builtinCloudFormationValidation: false,
    });
    const { stateless } = createStacks(app, stageConfig('dev'));
    new Bucket(stateless, 'UncheckedBucket');
    try {
      // In-memory app mode: the thrown error carries the report, whatever NODE_ENV says.
      expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
  });
});
