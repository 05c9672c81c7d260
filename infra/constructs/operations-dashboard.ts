import { Duration } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  BUSINESS_METRICS,
  COLD_START_METRIC,
  JOB_METRICS,
  METRICS_NAMESPACE,
  RELAY_METRICS,
  SERVICE_NAME,
} from '../../functions/shared/metric-names';
import type { Stage } from '../config/stages';

export interface OperationsDashboardProps {
  stage: Stage;
  apiStage: HttpStage;
  /** Every Lambda of the stage, by the name the dashboard shows. */
  functions: readonly { label: string; fn: IFunction }[];
  /** The outbox relay (its iterator age says how far behind the stream it is). */
  outboxRelay: IFunction;
  deadLetterQueues: readonly { label: string; queue: IQueue }[];
  approvals: IStateMachine;
  table: ITableV2;
  /** The table's on-demand maximum throughput (request units per second), drawn over its consumption. */
  tableMaxima: { read: number; write: number };
  /** Shown by state at the top (none where the stage has no alarms). */
  alarms: readonly IAlarm[];
}

const PERIOD = Duration.minutes(5);

/**
 * One CloudWatch dashboard per stage, `salesflow-<stage>`: what the README's runbook reads. From the top: the
 * alarms, the API (requests, 4xx, 5xx, latency p50/p99), every function (errors, throttles, duration p99,
 * concurrency, cold starts), the queues and streams that hold work back (dead-letter queues, the relay's iterator
 * age), approval executions, the table (throttles, consumption against its maximum), and the business metrics
 * the relay, the reminder job and the KPI rollup write (functions/shared/metric-names.ts).
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { stage, apiStage, functions, table } = props;
    const perFunction = (title: string, metric: (fn: IFunction, label: string) => IMetric) =>
      new GraphWidget({ title, width: 12, left: functions.map(({ label, fn }) => metric(fn, label)) });
    const salesflow = (metricName: string, label: string, dimensions: Record<string, string> = {}) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME, stage, ...dimensions },
        statistic: Stats.SUM,
        period: PERIOD,
        label,
      });
    // A Sum over the period, divided by its seconds: the same unit as the table's maximum.
    const perSecond = (id: string, metric: Metric, label: string) =>
      new MathExpression({ expression: `${id} / PERIOD(${id})`, usingMetrics: { [id]: metric }, label, period: PERIOD });

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `salesflow-${stage}`, defaultInterval: Duration.hours(3) });

    this.dashboard.addWidgets(
      new TextWidget({
        width: 24,
        height: 2,
        markdown: `# Salesflow ${stage}\nWhat each alarm means and what to do: README.md → Runbook. Business metrics are counted by the outbox relay from the domain events (namespace ${METRICS_NAMESPACE}, dimensions service and stage; never a tenant).`,
      }),
    );
    if (props.alarms.length > 0) {
      this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', width: 24, height: 4, alarms: [...props.alarms] }));
    }

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests, 4xx and 5xx',
        width: 12,
        left: [
          apiStage.metricCount({ period: PERIOD, statistic: Stats.SUM, label: 'Requests' }),
          apiStage.metricClientError({ period: PERIOD, statistic: Stats.SUM, label: '4xx' }),
          apiStage.metricServerError({ period: PERIOD, statistic: Stats.SUM, label: '5xx' }),
        ],
      }),
      new GraphWidget({
        title: 'API latency p50 / p99 (ms)',
        width: 12,
        left: [
          apiStage.metricLatency({ period: PERIOD, statistic: Stats.p(50), label: 'Latency p50' }),
          apiStage.metricLatency({ period: PERIOD, statistic: Stats.p(99), label: 'Latency p99' }),
          apiStage.metricIntegrationLatency({ period: PERIOD, statistic: Stats.p(99), label: 'Integration latency p99' }),
        ],
      }),
    );

    this.dashboard.addWidgets(
      perFunction('Function errors', (fn, label) => fn.metricErrors({ period: PERIOD, statistic: Stats.SUM, label })),
      perFunction('Function throttles', (fn, label) => fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM, label })),
      perFunction('Function duration p99 (ms)', (fn, label) => fn.metricDuration({ period: PERIOD, statistic: Stats.p(99), label })),
      perFunction('Function concurrency (max)', (fn, label) =>
        fn.metric('ConcurrentExecutions', { period: PERIOD, statistic: Stats.MAXIMUM, label }),
      ),
      new GraphWidget({
        title: 'Cold starts',
        width: 24,
        left: functions.map(({ label, fn }) => salesflow(COLD_START_METRIC, label, { function_name: fn.functionName })),
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queues (messages waiting)',
        width: 12,
        left: props.deadLetterQueues.map(({ label, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: Stats.MAXIMUM, label }),
        ),
      }),
      new GraphWidget({
        title: 'Outbox relay iterator age (ms)',
        width: 12,
        left: [props.outboxRelay.metric('IteratorAge', { period: PERIOD, statistic: Stats.MAXIMUM, label: 'Oldest record not yet relayed' })],
      }),
    );

    const machine = props.approvals;
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Approval executions',
        width: 12,
        left: [
          machine.metricStarted({ period: PERIOD, statistic: Stats.SUM, label: 'Started' }),
          machine.metricSucceeded({ period: PERIOD, statistic: Stats.SUM, label: 'Succeeded' }),
          machine.metricFailed({ period: PERIOD, statistic: Stats.SUM, label: 'Failed' }),
          machine.metricTimedOut({ period: PERIOD, statistic: Stats.SUM, label: 'Timed out' }),
          machine.metricAborted({ period: PERIOD, statistic: Stats.SUM, label: 'Aborted' }),
          machine.metricThrottled({ period: PERIOD, statistic: Stats.SUM, label: 'Throttled' }),
        ],
      }),
      new GraphWidget({
        title: 'Table throttle events',
        width: 12,
        left: [
          table.metric('ReadThrottleEvents', { period: PERIOD, statistic: Stats.SUM, label: 'Read throttle events' }),
          table.metric('WriteThrottleEvents', { period: PERIOD, statistic: Stats.SUM, label: 'Write throttle events' }),
        ],
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Table consumption vs maximum (request units/s)',
        width: 24,
        left: [
          perSecond('reads', table.metricConsumedReadCapacityUnits({ period: PERIOD, statistic: Stats.SUM }), 'Read units/s'),
          perSecond('writes', table.metricConsumedWriteCapacityUnits({ period: PERIOD, statistic: Stats.SUM }), 'Write units/s'),
        ],
        leftAnnotations: [
          { value: props.tableMaxima.read, label: 'Maximum read units/s' },
          { value: props.tableMaxima.write, label: 'Maximum write units/s' },
        ],
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Pipeline outcomes',
        width: 8,
        left: [salesflow(BUSINESS_METRICS.opportunitiesWon, 'Won'), salesflow(BUSINESS_METRICS.opportunitiesLost, 'Lost')],
      }),
      new GraphWidget({
        title: 'Contract approvals',
        width: 8,
        left: [
          salesflow(BUSINESS_METRICS.contractsSubmitted, 'Submitted'),
          salesflow(BUSINESS_METRICS.contractsApproved, 'Approved'),
          salesflow(BUSINESS_METRICS.contractsRejected, 'Rejected'),
          salesflow(BUSINESS_METRICS.contractsTimedOut, 'Timed out'),
          salesflow(BUSINESS_METRICS.contractApprovalsFailed, 'Approval failed'),
        ],
      }),
      new GraphWidget({
        title: 'Reminders and follow-ups',
        width: 8,
        left: [
          salesflow(BUSINESS_METRICS.remindersSent, 'Reminders sent'),
          salesflow(BUSINESS_METRICS.staleDealFollowUps, 'Stale-deal follow-ups'),
          salesflow(JOB_METRICS.reminderTimersDue, 'Timers due (per run)'),
        ],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'KPI rollup',
        width: 12,
        left: [salesflow(JOB_METRICS.kpiEventsRolledUp, 'Feed events rolled up (per run)')],
      }),
      new GraphWidget({
        title: 'Outbox events',
        width: 12,
        left: [salesflow(RELAY_METRICS.eventsRelayed, 'Relayed to the bus'), salesflow(RELAY_METRICS.recordsRetried, 'Handed back for retry')],
      }),
    );
  }
}
