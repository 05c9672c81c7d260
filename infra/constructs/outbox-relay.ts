import { join } from 'node:path';
import { type Duration, Duration as Durations, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { domainEventSchema } from '../../domain/events/model';
import type { LogLevel, Stage } from '../config/stages';
import { ApiFunction, REPO_ROOT } from './api-function';

export interface OutboxRelayProps {
  stage: Stage;
  /** The table whose stream carries the outbox items. */
  table: ITableV2;
  eventBus: IEventBus;
  logLevel: LogLevel;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  memorySize: number;
  timeout: Duration;
  /** Its cap: one invocation per stream shard is all the mapping ever runs at once. */
  reservedConcurrency?: number;
}

/** What the event source mapping hands to the relay: new outbox items only. */
export const OUTBOX_STREAM_FILTER = {
  eventName: FilterRule.isEqual('INSERT'),
  dynamodb: { NewImage: { __edb_e__: { S: FilterRule.isEqual(domainEventSchema.model.entity) } } },
};

/** Attempts after the first before a batch goes to the dead-letter queue. */
export const OUTBOX_RETRY_ATTEMPTS = 5;

/**
 * The outbox → EventBridge path: functions/streams/publish-events.ts on the table's stream, filtered to new
 * domainEvent items, publishing to the bus. It alone may read the stream and put events on the bus.
 *
 * Failures: the handler reports the first record it could not publish and all after it; Lambda retries from
 * there up to OUTBOX_RETRY_ATTEMPTS times. A batch that starts with a record no retry can publish (a poison
 * record) makes the function fail, so the mapping splits it (bisectBatchOnError) until that record fails alone:
 * only its *description* (shard, sequence number) goes to the dead-letter queue, and every other record of the
 * batch is delivered in order (test/unit/publish-events.test.ts drives the handler through the same policy). The records themselves
 * stay in the stream only 24 hours; the events stay in the table's feed (`GET /events`) for 30 days, which is
 * where a redrive reads them from. Hence an alarm on the first message in the queue.
 */
export class OutboxRelay extends Construct {
  readonly function: ApiFunction;
  readonly deadLetterQueue: Queue;
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Durations.days(14),
      removalPolicy: props.removalPolicy,
    });

    this.function = new ApiFunction(this, 'Publisher', {
      entry: join(REPO_ROOT, 'functions', 'streams', 'publish-events.ts'),
      description: `Salesflow ${props.stage}: publishes the outbox (domain events) from the table stream to EventBridge`,
      stage: props.stage,
      // The table only for the KPI rollup's note of what was relayed (one UpdateItem per tenant of a batch).
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrency: props.reservedConcurrency,
      environment: { EVENT_BUS_NAME: props.eventBus.eventBusName, TABLE_NAME: props.table.tableName },
    });

    // Also grants the function (only) stream read: ListStreams, DescribeStream, GetRecords, GetShardIterator.
    this.eventSource = new DynamoEventSource(props.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Durations.seconds(1),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: OUTBOX_RETRY_ATTEMPTS,
      onFailure: new SqsDlq(this.deadLetterQueue),
      filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER)],
    });
    this.function.fn.addEventSource(this.eventSource);
    props.eventBus.grantPutEventsTo(this.function.role);
    // Adds to a tenant's `feedChanges` (domain/analytics/registry.ts): an UpdateItem, nothing else of the table.
    this.function.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [props.table.tableArn] }));

    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the dead-letter destination of the outbox relay's stream event source mapping (cdk-nag only recognizes queues named in another queue's redrive policy); a DLQ of a DLQ would only move the same failure records once more.",
    });
  }
}
