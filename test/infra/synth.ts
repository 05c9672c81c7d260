/**
 * Builds one stage's app exactly as infra/app.ts does (createStacks) and synthesizes it once. Synthesis bundles
 * the functions with esbuild and runs cdk-nag, so test files build each stage once, in beforeAll.
 */
import { App, type CfnResource, type PolicyViolation, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createStacks, type SalesflowStacks } from '../../infra/app';
import { type Stage, stageConfig } from '../../infra/config/stages';

export interface SynthesizedStage extends SalesflowStacks {
  app: App;
  stateful$: Template;
  stateless$: Template;
}

export function synthStage(stage: Stage): SynthesizedStage {
  // No account/region: the same environment-agnostic templates whatever the developer's shell exports.
  delete process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_REGION;
  // `cdk synth` fails on an unacknowledged cdk-nag finding; here synthesis goes on so that the other tests still
  // run and the cdk-nag test names the findings (see nagFindings).
  const app = new App({ context: { [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false } });
  const stacks = createStacks(app, stageConfig(stage));
  return {
    app,
    ...stacks,
    // Template.fromStack synthesizes the whole app once (the assembly is cached).
    stateful$: Template.fromStack(stacks.stateful),
    stateless$: Template.fromStack(stacks.stateless),
  };
}

/** cdk-nag findings that are not acknowledged, as `Rule (severity): construct paths`. */
export function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks(undefined, {}).validateScope(app);
  return report.violations.map(
    (violation: PolicyViolation) =>
      `${violation.ruleName} (${violation.severity}): ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
}

/** The logical id CloudFormation knows a construct's L1 resource by. */
export function logicalId(resource: CfnResource): string {
  return Stack.of(resource).getLogicalId(resource);
}
