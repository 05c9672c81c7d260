/**
 * The outbox relay: the table's stream → the event bus. Each domainEvent item a use case wrote (in the same
 * transaction as its change) becomes one EventBridge event: Source `salesflow`, DetailType the event type,
 * Detail the feed's view of the event plus its tenant. Everything else on the stream is ignored (on AWS the
 * event source mapping's filter already drops it; locally the stream poller hands over every record).
 *
 * Order and failures: records are published in stream order. When one cannot be published, the ones before it
 * are, and it and every later record of the batch are reported as `batchItemFailures`, so the event source
 * mapping retries from there and nothing overtakes it. When the batch *starts* with a record that cannot be read
 * (a poison record), the invocation fails instead: the mapping (bisectBatchOnError) splits the batch until that
 * record fails alone, sends it to the on-failure destination after its retries, and delivers every other record
 * (infra/local/stream-delivery.ts does the same locally). Delivery is at least once: a retried batch may repeat
 * events that EventBridge had already accepted, so consumers deduplicate by `detail.id`.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { Entity } from 'electrodb';
import { domainEventSchema } from '../../domain/events/model';
import { type DomainEventItem, toEventView } from '../../domain/events/service';
import {
  type BusEntry,
  EventBridgePublisher,
  type EventPublisher,
  entrySize,
  MAX_ENTRIES_PER_PUT,
  MAX_PUT_EVENTS_BYTES,
} from '../shared/event-publisher';
import { backgroundHandler } from '../shared/background-handler';
import { RELAY_METRICS } from '../shared/metric-names';
import { metrics as processMetrics, MetricUnit } from '../shared/metrics';
import { logger } from '../shared/runtime';
import { tracedRuntimeDeps, tracer } from '../shared/tracer';
import { noteFeedChanges } from '../../domain/analytics/registry';
import type { SalesDb } from '../../domain/db';
import { type BusinessMetric, businessMetricOf } from './business-metrics';

/** The `source` of every Salesflow event on the bus (what rules match on). */
export const EVENT_SOURCE = 'salesflow';
/** ElectroDB's entity name of the outbox items, stored in `__edb_e__`. */
export const OUTBOX_ENTITY = domainEventSchema.model.entity;

export type PublishEventsHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

// No client: used only to read stream images the way ElectroDB reads items (field names, attribute types).
const outbox = new Entity(domainEventSchema);

/** What a stream record means to the relay. */
type Mapped =
  | { kind: 'ignore' }
  | { kind: 'publish'; entry: BusEntry; eventId: string; tenantId: string; metric?: BusinessMetric }
  | { kind: 'invalid'; reason: string };

/**
 * The handler, over any publisher. `eventBusName` defaults to the EVENT_BUS_NAME environment variable; without
 * either, building the handler fails (a relay that does not know its bus must not start).
 *
 * With `metrics`, each invocation counts there (to be written by the caller, see `handler`): the events
 * delivered for good (`EventsRelayed`) and, of those, the business events by kind (./business-metrics.ts), and
 * the records handed back for retry (`OutboxRecordsRetried`). Only events before the first failure count, the
 * ones that will not come again: an entry the bus took after a failed one is sent again with the retry and
 * counted then, so a retried batch counts each event once.
 */
export function createPublishEventsHandler(
  publisher: EventPublisher,
  options: { eventBusName?: string; metrics?: Metrics; noteFeedChanges?: FeedChangeNote } = {},
): PublishEventsHandler {
  const eventBusName = options.eventBusName ?? process.env.EVENT_BUS_NAME;
  if (!eventBusName) throw new Error('EVENT_BUS_NAME is not set');

  return async (event) => {
    const records = event.Records;
    // Position (in `records`) of the first record that could not be published; it and all after it are failures.
    let firstFailure = records.length;
    const toPublish: { position: number; entry: BusEntry; eventId: string; tenantId: string; metric?: BusinessMetric }[] = [];
    for (const [position, record] of records.entries()) {
      const mapped = toBusEntry(record, eventBusName);
      if (mapped.kind === 'ignore') continue;
      if (mapped.kind === 'invalid') {
        const sequenceNumber = record.dynamodb?.SequenceNumber;
        logger.error('Outbox record cannot be published', { reason: mapped.reason, sequenceNumber });
        // First in the batch: fail the invocation, so the mapping isolates it (bisects) rather than retrying the
        // whole rest of the batch with it and then discarding all of it.
        if (toPublish.length === 0) throw new UnpublishableRecordError(`Outbox record ${sequenceNumber} cannot be published: ${mapped.reason}`);
        firstFailure = position;
        break;
      }
      toPublish.push({ position, entry: mapped.entry, eventId: mapped.eventId, tenantId: mapped.tenantId, metric: mapped.metric });
    }

    // Before publishing: if the note fails, the batch is retried whole and nothing was published twice.
    if (options.noteFeedChanges && toPublish.length > 0) {
      const byTenant = new Map<string, number>();
      for (const item of toPublish) byTenant.set(item.tenantId, (byTenant.get(item.tenantId) ?? 0) + 1);
      await options.noteFeedChanges(byTenant);
    }

    let published = 0;
    for (const batch of batches(toPublish)) {
      let failed: number[];
      try {
        ({ failed } = await publisher.publish(batch.map((item) => item.entry)));
      } catch (error) {
        logger.error('PutEvents failed', { error: error as Error, events: batch.length });
        failed = batch.map((_, index) => index);
      }
      published += batch.length - failed.length;
      if (failed.length > 0) {
        const first = batch[Math.min(...failed)] ?? batch[0];
        logger.warn('Events not accepted by the bus: reporting them and every later record for retry', {
          failedEventIds: failed.map((index) => batch[index]?.eventId),
        });
        if (first) firstFailure = first.position;
        break;
      }
    }

    const batchItemFailures = records.slice(firstFailure).map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }));
    const delivered = toPublish.filter((item) => item.position < firstFailure);
    logger.info('Outbox records relayed', { records: records.length, published, failed: batchItemFailures.length });
    if (options.metrics) count(options.metrics, delivered, batchItemFailures.length);
    return { batchItemFailures };
  };
}

function count(metrics: Metrics, delivered: readonly { metric?: BusinessMetric }[], retried: number): void {
  metrics.addMetric(RELAY_METRICS.eventsRelayed, MetricUnit.Count, delivered.length);
  metrics.addMetric(RELAY_METRICS.recordsRetried, MetricUnit.Count, retried);
  const byMetric = new Map<BusinessMetric, number>();
  for (const { metric } of delivered) if (metric) byMetric.set(metric, (byMetric.get(metric) ?? 0) + 1);
  for (const [metric, value] of byMetric) metrics.addMetric(metric, MetricUnit.Count, value);
}

/**
 * Tells the KPI rollup how many events of each tenant's feed were relayed (domain/analytics: the rollup reads a
 * tenant's feed only when it grew). Optional: without it (tests of publishing alone) nothing is noted.
 */
export type FeedChangeNote = (eventsByTenant: ReadonlyMap<string, number>) => Promise<void>;

/** The note as the deployed relay and `npm start` make it: one ADD per tenant of the batch. */
export function tableFeedChangeNote(db: SalesDb): FeedChangeNote {
  return async (eventsByTenant) => {
    await Promise.all([...eventsByTenant].map(([tenantId, count]) => noteFeedChanges(db, tenantId, count)));
  };
}

/** A record that no retry will make publishable (unreadable, not an event, too large). */
export class UnpublishableRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnpublishableRecordError';
  }
}

/**
 * A stream image as the unmarshaller accepts it. DynamoDB Local writes an empty map as `{}` instead of
 * `{"M":{}}` (DESIGN: known quirks); DynamoDB never writes an attribute without its type, so a typeless value is
 * read as the empty map it stands for, at any depth.
 */
export function normalizeImage(image: Record<string, unknown>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, normalizeValue(value)]));
}

function normalizeValue(value: unknown): AttributeValue {
  if (typeof value !== 'object' || value === null || Object.keys(value).length === 0) return { M: {} };
  const attribute = value as Record<string, unknown>;
  if (attribute.M !== undefined && typeof attribute.M === 'object' && attribute.M !== null) {
    return { M: normalizeImage(attribute.M as Record<string, unknown>) };
  }
  if (Array.isArray(attribute.L)) return { L: attribute.L.map(normalizeValue) };
  return attribute as unknown as AttributeValue;
}

/** A stream record as a bus entry, if it is a new outbox item. */
export function toBusEntry(record: DynamoDBRecord, eventBusName: string): Mapped {
  const image = record.dynamodb?.NewImage;
  // Only new items: outbox items are never updated, and their TTL deletions are no events (DynamoDB Local
  // names those records UNKNOWN_TO_SDK_VERSION rather than REMOVE).
  if (record.eventName !== 'INSERT' || image?.__edb_e__?.S !== OUTBOX_ENTITY) return { kind: 'ignore' };

  let item: DomainEventItem;
  try {
    // aws-lambda's AttributeValue (binary as base64) and the SDK's differ only in B/BS, which unmarshall passes through.
    const raw = unmarshall(normalizeImage(image));
    const { data } = outbox.parse({ Item: raw }, { ignoreOwnership: true });
    if (!data) return { kind: 'invalid', reason: 'not an outbox item' };
    item = data;
  } catch (error) {
    return { kind: 'invalid', reason: `unreadable image: ${(error as Error).message}` };
  }
  for (const field of ['tenantId', 'eventId', 'type', 'at'] as const) {
    if (typeof item[field] !== 'string' || item[field] === '') return { kind: 'invalid', reason: `event without ${field}` };
  }
  const time = new Date(item.at);
  if (Number.isNaN(time.getTime())) return { kind: 'invalid', reason: `event ${item.eventId} has no valid time: ${item.at}` };

  const entry: BusEntry = {
    Source: EVENT_SOURCE,
    DetailType: item.type,
    Detail: JSON.stringify({ ...toEventView(item), tenantId: item.tenantId }),
    EventBusName: eventBusName,
    Time: time,
  };
  if (entrySize(entry) > MAX_PUT_EVENTS_BYTES) {
    return { kind: 'invalid', reason: `event ${item.eventId} is ${entrySize(entry)} bytes, over the PutEvents limit` };
  }
  return { kind: 'publish', entry, eventId: item.eventId, tenantId: item.tenantId, metric: businessMetricOf(item.type, item.data) };
}

/** Consecutive runs of at most 10 entries and at most 256 KB, in order. */
function batches<T extends { entry: BusEntry }>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entrySize(item.entry);
    if (current.length === MAX_ENTRIES_PER_PUT || (current.length > 0 && bytes + size > MAX_PUT_EVENTS_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * The relay as Lambda runs it, over a publisher and where it counts: the process's EventBridge client and
 * metrics for `handler`, others in tests. Traced, counted and written as every background function is
 * (../shared/background-handler.ts); the relay itself is built on first use, when EVENT_BUS_NAME is read.
 */
export function createRelayLambda(publisher: EventPublisher, metrics: Metrics = processMetrics, noteChanges?: () => FeedChangeNote) {
  let relay: PublishEventsHandler | undefined;
  return backgroundHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>(async (event) => {
    relay ??= createPublishEventsHandler(publisher, { metrics, noteFeedChanges: noteChanges?.() });
    return relay(event);
  }, metrics);
}

// Lambda: the EventBridge client once per cold start, captured by the Tracer (a subsegment per PutEvents).
export const handler = createRelayLambda(new EventBridgePublisher(tracer.captureAWSv3Client(new EventBridgeClient({}))), processMetrics, () =>
  tableFeedChangeNote(tracedRuntimeDeps().db),
);
