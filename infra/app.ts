/**
 * CDK entry: `npx cdk synth|deploy -c stage=dev|staging|prod` (cdk.json defaults the stage to dev).
 * One stateful and one stateless stack per stage, checked by cdk-nag's AWS Solutions rules.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type StageConfig, stageConfig } from './config/stages';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

export interface SalesflowStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/**
 * Adds one stage's stacks and the cdk-nag checks to `app` (call once per App). Also used by test/infra, so the
 * tests check exactly what deploys.
 */
export function createStacks(app: App, config: StageConfig): SalesflowStacks {
  const prefix = `Salesflow-${config.stage}`;
  const common = { env: config.env, terminationProtection: config.terminationProtection };

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    ...common,
    description: `Salesflow ${config.stage}: table, user pool, event bus`,
    config,
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    ...common,
    description: `Salesflow ${config.stage}: HTTP API, functions, alarms`,
    config,
    table: stateful.table,
    userPool: stateful.userPool,
    userPoolClient: stateful.userPoolClient,
    eventBus: stateful.eventBus,
    approvalLinkSecret: stateful.approvalLinkSecret,
    listCursorSecret: stateful.listCursorSecret,
  });

  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('app', 'salesflow');
    Tags.of(stack).add('stage', config.stage);
  }
  // cdk-nag 3 is a policy-validation plugin (not an Aspect): unacknowledged findings fail `cdk synth`.
  // Acknowledgments are also written into the templates' Metadata (`cdk_nag`) as an audit trail.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  return { stateful, stateless };
}

function main(): void {
  const app = new App();
  const stage: unknown = app.node.tryGetContext('stage') ?? 'dev';
  createStacks(app, stageConfig(String(stage)));
}

// Run only as the entry point (`npx tsx infra/app.ts`), not when tests import createStacks.
const entry = process.argv[1];
if (entry && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))) main();
