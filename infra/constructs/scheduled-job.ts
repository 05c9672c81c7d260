import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ApiFunction, type ApiFunctionProps } from './api-function';

/** The job function's props (ApiFunction's), and when it runs. */
export interface ScheduledJobProps extends ApiFunctionProps {
  description: string;
  tableName: string;
  /** An EventBridge Scheduler expression from the stage config, e.g. `rate(15 minutes)`. */
  expression: string;
  alarms: boolean;
}

/** Deliveries are retried this often before they go to the dead-letter queue. */
export const SCHEDULE_RETRY_ATTEMPTS = 3;

/**
 * A job on an EventBridge Scheduler schedule: its function, the schedule (retries, then a dead-letter queue
 * kept 14 days) and, where the stage has alarms, an alarm on the first message in that queue. The job itself
 * must be idempotent: a retried or repeated delivery runs it again.
 */
export class ScheduledJob extends Construct {
  readonly function: ApiFunction;
  readonly schedule: Schedule;
  readonly deadLetterQueue: Queue;
  /** On the first message in the dead-letter queue, where the stage has alarms. */
  readonly deadLetterAlarm?: Alarm;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const { expression: _expression, alarms: _alarms, ...functionProps } = props;
    this.function = new ApiFunction(this, 'Job', functionProps);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the schedule; a dead-letter queue of its own would only move the problem (an alarm watches it instead).',
    });
    // Its own role (not the stack-wide one the targets library would share): invoking this function only.
    const role = new Role(this, 'ScheduleRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    this.schedule = new Schedule(this, 'Schedule', {
      description: props.description,
      schedule: ScheduleExpression.expression(props.expression),
      target: new LambdaInvoke(this.function.fn, {
        role,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
        maxEventAge: Duration.hours(1),
      }),
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: 'The targets library grants lambda:InvokeFunction on the job function and its versions/aliases (`<arn>:*`): still only that one function.',
    });
    if (props.alarms) {
      this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `Salesflow ${props.stage}: ${props.description}: a scheduled run could not be delivered (dead-letter queue) (README: Runbook → ${id}DeadLetterAlarm)`,
      });
    }
  }
}
