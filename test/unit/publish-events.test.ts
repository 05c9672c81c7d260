/**
 * The outbox relay (functions/streams/publish-events.ts) as Lambda invokes it, with EventBridge mocked at the
 * SDK (aws-sdk-client-mock): which stream records become which events, how they are batched, and what is
 * reported back for retry when the bus does not take them.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DomainEventItem, eventItem } from '../../domain/shared/change-log';
import type { Deps } from '../../domain/shared/ports';
import { MAX_PUT_EVENTS_BYTES } from '../../functions/shared/event-publisher';
import { createDeps } from '../../functions/shared/runtime';
import { OUTBOX_RETRY_ATTEMPTS } from '../../infra/constructs/outbox-relay';
import { deliverBatch } from '../../infra/local/stream-delivery';
import { actor } from '../support/dynamo';

const BUS = 'salesflow-unit';
const eventBridge = mockClient(EventBridgeClient);
let handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
let createPublishEventsHandler: typeof import('../../functions/streams/publish-events').createPublishEventsHandler;
// Only to build items and ElectroDB's request parameters: nothing here reaches DynamoDB.
const deps: Deps = createDeps({ tableName: 'unit-table' });
const rep = actor('acme', 'alice', 'rep');

beforeAll(async () => {
  process.env.EVENT_BUS_NAME = BUS;
  ({ handler, createPublishEventsHandler } = await import('../../functions/streams/publish-events'));
});
beforeEach(() => {
  eventBridge.reset();
  // The bus takes everything unless a test says otherwise.
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, index) => ({ EventId: `eb-${index}` })),
  }));
});
afterAll(() => eventBridge.restore());

let sequence = 0;

/** A stream record carrying exactly the item ElectroDB writes (keys, `__edb_e__`, `__edb_v__`). */
function streamRecord(
  item: Record<string, unknown>,
  eventName: string = 'INSERT',
  images: { newImage?: boolean; oldImage?: boolean } = { newImage: true },
): DynamoDBRecord {
  const image = marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  return {
    eventID: `id-${sequence}`,
    eventName: eventName as DynamoDBRecord['eventName'],
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'us-east-1',
    dynamodb: {
      SequenceNumber: String(++sequence).padStart(21, '0'),
      Keys: { pk: image.pk as AttributeValue, sk: image.sk as AttributeValue },
      ...(images.newImage && { NewImage: image }),
      ...(images.oldImage && { OldImage: image }),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

function newEvent(overrides: { type?: string; data?: Record<string, unknown> } = {}): DomainEventItem {
  return eventItem(deps, rep, '2026-06-01T10:00:00.000Z', {
    type: overrides.type ?? 'opportunity.stage_changed',
    entityType: 'opportunity',
    entityId: 'opp-1',
    data: overrides.data ?? { from: 'contacted', to: 'needs_analysis' },
  });
}

const stored = (item: DomainEventItem) => deps.db.entities.domainEvent.put(item).params().Item as Record<string, unknown>;
const eventRecord = (item = newEvent()) => streamRecord(stored(item));
const sequenceOf = (record: DynamoDBRecord) => record.dynamodb?.SequenceNumber as string;

const putCalls = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
const detailIds = (entries: PutEventsRequestEntry[]) => entries.map((entry) => (JSON.parse(entry.Detail ?? '{}') as { id: string }).id);
const entryBytes = (entry: PutEventsRequestEntry) =>
  14 + Buffer.byteLength(entry.Source ?? '') + Buffer.byteLength(entry.DetailType ?? '') + Buffer.byteLength(entry.Detail ?? '');

describe('publish-events: mapping', () => {
  it('turns a new outbox item into one event: source, detail-type, bus, time, and the feed view plus tenant as detail', async () => {
    const item = newEvent({ data: { from: 'contacted', to: 'needs_analysis', amount: { amount: 125_000, currency: 'EUR' } } });

    const result = await handler({ Records: [eventRecord(item)] });

    expect(result).toEqual({ batchItemFailures: [] });
    const [entries] = putCalls();
    expect(entries).toHaveLength(1);
    const entry = entries?.[0] as PutEventsRequestEntry;
    expect(entry).toMatchObject({ Source: 'salesflow', DetailType: 'opportunity.stage_changed', EventBusName: BUS });
    expect(entry.Time).toEqual(new Date('2026-06-01T10:00:00.000Z'));
    expect(JSON.parse(entry.Detail as string)).toEqual({
      id: item.eventId,
      type: 'opportunity.stage_changed',
      entityType: 'opportunity',
      entityId: 'opp-1',
      actor: 'alice',
      at: '2026-06-01T10:00:00.000Z',
      occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      data: { from: 'contacted', to: 'needs_analysis', amount: { amount: 125_000, currency: 'EUR' } },
      tenantId: 'acme',
    });
    // No storage details leak onto the bus.
    expect(entry.Detail).not.toMatch(/__edb_|"pk"|"sk"|expiresAt/);
  });

  it('ignores everything that is not a new outbox item', async () => {
    const event = stored(newEvent());
    const audit = deps.db.entities.auditEntry
      .put({ tenantId: 'acme', entityId: 'cust-1', auditId: 'a-1', entityType: 'customer', action: 'create', actor: 'alice', at: '2026-06-01T10:00:00.000Z' })
      .params().Item as Record<string, unknown>;

    const result = await handler({
      Records: [
        streamRecord(audit), // another entity's INSERT
        streamRecord(event, 'MODIFY', { newImage: true, oldImage: true }),
        streamRecord(event, 'REMOVE', { oldImage: true }),
        streamRecord(event, 'UNKNOWN_TO_SDK_VERSION', { oldImage: true }), // DynamoDB Local's TTL delete
        streamRecord(event, 'INSERT', {}), // keys only
      ],
    });

    expect(result).toEqual({ batchItemFailures: [] });
    expect(putCalls()).toEqual([]);
  });
});

describe('publish-events: batching', () => {
  it('publishes 25 events in 3 PutEvents calls of 10, 10 and 5, in stream order', async () => {
    const records = Array.from({ length: 25 }, () => eventRecord());
    const ids = records.map((record) => record.dynamodb?.NewImage?.eventId?.S);

    const result = await handler({ Records: records });

    expect(result).toEqual({ batchItemFailures: [] });
    const calls = putCalls();
    expect(calls.map((entries) => entries.length)).toEqual([10, 10, 5]);
    expect(calls.flatMap(detailIds)).toEqual(ids);
  });

  it('keeps every call under 256 KB', async () => {
    // ~100 KB of data each: at most two fit into one call.
    const records = Array.from({ length: 5 }, () => eventRecord(newEvent({ data: { notes: 'x'.repeat(100_000) } })));

    await handler({ Records: records });

    const calls = putCalls();
    expect(calls.map((entries) => entries.length)).toEqual([2, 2, 1]);
    for (const entries of calls) expect(entries.reduce((sum, entry) => sum + entryBytes(entry), 0)).toBeLessThanOrEqual(MAX_PUT_EVENTS_BYTES);
  });
});

describe('publish-events: failures', () => {
  it('reports the entry the bus refused and every later record, and stops publishing there', async () => {
    const records = Array.from({ length: 25 }, () => eventRecord());
    // A non-event record after the failure point is reported too: the retry starts at the failed record.
    records.splice(20, 0, streamRecord(stored(newEvent()), 'MODIFY', { newImage: true, oldImage: true }));
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, (_, index) => ({ EventId: `eb-${index}` })) })
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: Array.from({ length: 10 }, (_, index) =>
          index === 3 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `eb-${index}` },
        ),
      });

    const result = await handler({ Records: records });

    // Record 13 is the 4th entry of the second call.
    expect(result.batchItemFailures).toEqual(records.slice(13).map((record) => ({ itemIdentifier: sequenceOf(record) })));
    expect(putCalls()).toHaveLength(2);
  });

  it('reports a whole call and everything after it when PutEvents throws', async () => {
    const records = Array.from({ length: 15 }, () => eventRecord());
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, (_, index) => ({ EventId: `eb-${index}` })) })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const result = await handler({ Records: records });

    expect(result.batchItemFailures).toEqual(records.slice(10).map((record) => ({ itemIdentifier: sequenceOf(record) })));
  });

  it('publishes what precedes an unreadable outbox item, and reports the item and what follows', async () => {
    const before = [eventRecord(), eventRecord()];
    const broken = eventRecord();
    delete broken.dynamodb?.NewImage?.type;
    const badTime = eventRecord();
    (badTime.dynamodb?.NewImage as Record<string, AttributeValue>).at = { S: 'yesterday' };
    const after = eventRecord();

    const first = await handler({ Records: [...before, broken, after] });
    expect(putCalls().flatMap(detailIds)).toEqual(before.map((record) => record.dynamodb?.NewImage?.eventId?.S));
    expect(first.batchItemFailures).toEqual([broken, after].map((record) => ({ itemIdentifier: sequenceOf(record) })));

    // A batch that starts with a poison record fails, so the event source mapping splits it (bisectBatchOnError).
    await expect(handler({ Records: [badTime, after] })).rejects.toThrow(/cannot be published: event .* has no valid time/);
  });

  it("reads DynamoDB Local's empty map (`{}` instead of `{\"M\":{}}`) as the empty map it is, at any depth", async () => {
    const item = newEvent({ data: { opportunity: { id: 'opp-1', decisionFactors: {} }, tags: [] } });
    const record = eventRecord(item);
    const data = (record.dynamodb?.NewImage as Record<string, AttributeValue>).data as { M: Record<string, { M: Record<string, unknown> }> };
    data.M.opportunity!.M.decisionFactors = {};

    const result = await handler({ Records: [record] });

    expect(result.batchItemFailures).toEqual([]);
    const detail = JSON.parse(putCalls()[0]![0]!.Detail as string) as { data: unknown };
    expect(detail.data).toEqual({ opportunity: { id: 'opp-1', decisionFactors: {} }, tags: [] });
  });

  it('never sends an event over the PutEvents size limit, and reports it', async () => {
    const small = eventRecord();
    const huge = eventRecord(newEvent({ data: { notes: 'x'.repeat(MAX_PUT_EVENTS_BYTES) } }));

    const result = await handler({ Records: [small, huge] });

    expect(putCalls().flatMap(detailIds)).toEqual([small.dynamodb?.NewImage?.eventId?.S]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf(huge) }]);
  });
});

describe('createPublishEventsHandler', () => {
  it('refuses to build a relay that does not know its bus', () => {
    const saved = process.env.EVENT_BUS_NAME;
    delete process.env.EVENT_BUS_NAME;
    try {
      expect(() => createPublishEventsHandler({ publish: async () => ({ failed: [] }) })).toThrow('EVENT_BUS_NAME is not set');
    } finally {
      process.env.EVENT_BUS_NAME = saved;
    }
  });

  it('publishes through any EventPublisher, to the bus it is given', async () => {
    const published: string[] = [];
    const relay = createPublishEventsHandler(
      { publish: async (entries) => (published.push(...entries.map((entry) => `${entry.EventBusName}:${entry.DetailType}`)), { failed: [] }) },
      { eventBusName: 'other-bus' },
    );

    await relay({ Records: [eventRecord(newEvent({ type: 'customer.created' }))] });

    expect(published).toEqual(['other-bus:customer.created']);
    expect(putCalls()).toEqual([]);
  });
});

describe('publish-events: one poison record among good ones, through the event source mapping', () => {
  // The mapping as infra/constructs/outbox-relay.ts configures it, driving the Lambda's own handler export.
  const deliver = async (records: DynamoDBRecord[]) => {
    const parked: DynamoDBRecord[] = [];
    await deliverBatch(records, handler, {
      retryAttempts: OUTBOX_RETRY_ATTEMPTS,
      bisectOnError: true,
      onFailure: async (failed) => {
        parked.push(...failed);
      },
    });
    return parked;
  };

  it.each([0, 3, 9])('delivers every good record in order and sends only the poison one (at %i) to the dead-letter queue', async (at) => {
    const records = Array.from({ length: 10 }, () => eventRecord());
    const poison = records[at]!;
    delete poison.dynamodb?.NewImage?.type;

    const parked = await deliver(records);

    expect(parked).toEqual([poison]);
    const good = records.filter((record) => record !== poison).map((record) => record.dynamodb?.NewImage?.eventId?.S);
    const published = putCalls().flatMap(detailIds);
    // At least once: a retried batch may repeat what the bus took; first deliveries keep the stream's order.
    expect([...new Set(published)]).toEqual(good);
  });
});
