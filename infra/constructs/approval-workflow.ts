import { join } from 'node:path';
import { type CfnElement, type Duration, Duration as Durations, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JitterType,
  JsonPath,
  LogLevel as StateMachineLogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  type IChainable,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { APPROVAL_REJECTED, TRANSIENT_ERROR } from '../../domain/contracts';
import type { LogLevel, Stage } from '../config/stages';
import { ApiFunction, REPO_ROOT } from './api-function';

/** The error Step Functions reports when Lambda throttles the invocation of a task. */
export const LAMBDA_THROTTLED = 'Lambda.TooManyRequestsException';

const RUN_FIELDS = {
  tenantId: JsonPath.stringAt('$.tenantId'),
  contractId: JsonPath.stringAt('$.contractId'),
  revision: JsonPath.numberAt('$.revision'),
};
const STATE_FIELDS = {
  ...RUN_FIELDS,
  levelIndex: JsonPath.numberAt('$.levelIndex'),
  levelCount: JsonPath.numberAt('$.levelCount'),
  timeoutSeconds: JsonPath.numberAt('$.timeoutSeconds'),
  escalationTimeoutSeconds: JsonPath.numberAt('$.escalationTimeoutSeconds'),
};

/**
 * The approval state machine, one definition for AWS and for the local runner (infra/local/local-workflow.ts):
 *
 *   Plan chain → More levels? ─yes→ Await decision ─approved→ Next level → More levels?
 *                    │                  ├─timeout→ Await escalated decision ─approved→ Next level
 *                    │                  │                ├─timeout→ Record timeout → Timed out
 *                    │                  │                └─ApprovalRejected→ Record rejection → Rejected
 *                    │                  └─ApprovalRejected→ Record rejection → Rejected
 *                    └─no→ Record approval → Approved
 *   Any other failure (after retries of transient errors) → Record failure → Failed
 *
 * Waiting steps take their TimeoutSeconds from the state (`TimeoutSecondsPath`): the planned level's timeout,
 * the policy's or else the stage config's (APPROVAL_TIMEOUT_SECONDS of the tasks function).
 */
export function approvalDefinition(scope: Construct, tasks: IFunction): IChainable {
  // Transient task errors; and Lambda's throttling of the tasks function (its reserved concurrency is its cap),
  // which LambdaInvoke's own retry of service errors leaves out: uncaught it would end in `Record failure` and
  // reject the contract as approval_failed for being busy.
  const retryTransient = <T extends LambdaInvoke>(task: T): T =>
    task
      .addRetry({ errors: [TRANSIENT_ERROR], interval: Durations.seconds(1), backoffRate: 2, maxAttempts: 4 })
      .addRetry({
        errors: [LAMBDA_THROTTLED],
        interval: Durations.seconds(2),
        backoffRate: 2,
        maxAttempts: 6,
        jitterStrategy: JitterType.FULL,
      }) as T;

  const invoke = (id: string, action: string, fields: Record<string, unknown>, discardResult: boolean) =>
    retryTransient(
      new LambdaInvoke(scope, id, {
        lambdaFunction: tasks,
        payload: TaskInput.fromObject({ action, ...fields }),
        payloadResponseOnly: true,
        ...(discardResult && { resultPath: JsonPath.DISCARD }),
      }),
    );

  const awaitDecision = (id: string, escalated: boolean) =>
    retryTransient(
      new LambdaInvoke(scope, id, {
        lambdaFunction: tasks,
        integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: TaskInput.fromObject({ action: 'request', taskToken: JsonPath.taskToken, escalated, ...STATE_FIELDS }),
        taskTimeout: Timeout.at(escalated ? '$.escalationTimeoutSeconds' : '$.timeoutSeconds'),
        resultPath: JsonPath.DISCARD,
      }),
    );

  const failed = new Fail(scope, 'Failed', { error: 'ApprovalFailed', cause: 'The approval could not run; the contract was rejected as approval_failed' });
  const recordFailure = invoke('Record failure', 'failed', { ...STATE_FIELDS, failure: JsonPath.objectAt('$.failure') }, true).next(failed);
  const onFailure = { resultPath: '$.failure' };

  const recordRejection = invoke('Record rejection', 'rejected', { ...STATE_FIELDS, failure: JsonPath.objectAt('$.failure') }, true)
    .addCatch(recordFailure, { ...onFailure, errors: ['States.ALL'] })
    .next(new Succeed(scope, 'Rejected'));
  const recordTimeout = invoke('Record timeout', 'timed_out', STATE_FIELDS, true)
    .addCatch(recordFailure, { ...onFailure, errors: ['States.ALL'] })
    .next(new Succeed(scope, 'Timed out'));
  const recordApproval = invoke('Record approval', 'approved', STATE_FIELDS, true)
    .addCatch(recordFailure, { ...onFailure, errors: ['States.ALL'] })
    .next(new Succeed(scope, 'Approved'));

  const plan = invoke('Plan chain', 'plan', RUN_FIELDS, false).addCatch(recordFailure, { ...onFailure, errors: ['States.ALL'] });
  const nextLevel = invoke('Next level', 'next', STATE_FIELDS, false).addCatch(recordFailure, { ...onFailure, errors: ['States.ALL'] });
  const moreLevels = new Choice(scope, 'More levels?');

  const awaitEscalated = awaitDecision('Await escalated decision', true)
    .addCatch(recordTimeout, { errors: ['States.Timeout'], resultPath: JsonPath.DISCARD })
    .addCatch(recordRejection, { ...onFailure, errors: [APPROVAL_REJECTED] })
    .addCatch(recordFailure, { ...onFailure, errors: ['States.ALL'] })
    .next(nextLevel);
  const await_ = awaitDecision('Await decision', false)
    .addCatch(awaitEscalated, { errors: ['States.Timeout'], resultPath: JsonPath.DISCARD })
    .addCatch(recordRejection, { ...onFailure, errors: [APPROVAL_REJECTED] })
    .addCatch(recordFailure, { ...onFailure, errors: ['States.ALL'] })
    .next(nextLevel);

  nextLevel.next(moreLevels);
  moreLevels.when(Condition.numberLessThanJsonPath('$.levelIndex', '$.levelCount'), await_).otherwise(recordApproval);
  return plan.next(moreLevels);
}

export interface ApprovalWorkflowProps {
  stage: Stage;
  tableName: string;
  logLevel: LogLevel;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  memorySize: number;
  timeout: Duration;
  reservedConcurrency?: number;
  /** A step's wait before it escalates, where the policy sets none (stage config). */
  stepTimeoutSeconds: number;
}

/** The approval state machine (Standard) with the Lambda behind its tasks, execution logs and tracing. */
export class ApprovalWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly tasks: ApiFunction;

  constructor(scope: Construct, id: string, props: ApprovalWorkflowProps) {
    super(scope, id);
    this.tasks = new ApiFunction(this, 'Tasks', {
      entry: join(REPO_ROOT, 'functions', 'workflows', 'approval-tasks.ts'),
      description: `Salesflow ${props.stage}: contract approval workflow tasks`,
      stage: props.stage,
      tableName: props.tableName,
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        APPROVAL_TIMEOUT_SECONDS: String(props.stepTimeoutSeconds),
        APPROVAL_ESCALATION_TIMEOUT_SECONDS: String(props.stepTimeoutSeconds),
      },
    });

    const logs = new LogGroup(this, 'ExecutionLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      comment: `Salesflow ${props.stage}: contract approval`,
      definitionBody: DefinitionBody.fromChainable(approvalDefinition(this, this.tasks.fn)),
      tracingEnabled: true,
      // Execution data stays out of the logs: it carries task tokens.
      logs: { destination: logs, level: StateMachineLogLevel.ALL, includeExecutionData: false },
    });
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.tasks.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: 'CDK grants lambda:InvokeFunction on the tasks function and its versions/aliases (`<arn>:*`): still only that one function.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions logging to CloudWatch Logs (logs:CreateLogDelivery, logs:DescribeLogGroups, …) and X-Ray tracing require "*"; these actions do not support resource-level permissions.',
      },
    );
  }
}
