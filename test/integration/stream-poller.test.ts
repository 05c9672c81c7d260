/**
 * The local outbox path on DynamoDB Local: items written through ElectroDB → the table's stream → the stream
 * poller → the same relay handler the Lambda runs → the local event bus. Waits by watching the bus against a
 * deadline; no fixed sleeps, no timing assertions.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DomainEventItem, eventItem } from '../../domain/shared/change-log';
import type { Deps } from '../../domain/shared/ports';
import type { EventPublisher } from '../../functions/shared/event-publisher';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createDeps, createDocumentClient, createDynamoClient } from '../../functions/shared/runtime';
import { createPublishEventsHandler } from '../../functions/streams/publish-events';
import { type BusEvent, createLocalEventBus, type LocalEventBus } from '../../infra/local/local-event-bus';
import {
  type CheckpointStore,
  memoryDeadLetterStore,
  redriveDeadLetters,
  type StreamPoller,
  type StreamPollerOptions,
  startStreamPoller,
  toLambdaRecord,
} from '../../infra/local/stream-poller';
import { createCustomer } from '../../domain/customers';
import { createOpportunity } from '../../domain/pipeline';
import { listEvents } from '../../domain/events';
import { actor, createTestTable, newTenant } from '../support/dynamo';

const BUS = 'salesflow-test';
let table: { tableName: string; endpoint: string };
let deps: Deps;
const running: StreamPoller[] = [];

beforeAll(async () => {
  table = await createTestTable();
  deps = createDeps(table);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((poller) => poller.stop()));
});

async function writeEvents(tenantId: string, count: number, label: string): Promise<DomainEventItem[]> {
  const items: DomainEventItem[] = [];
  for (let index = 0; index < count; index++) {
    const item = eventItem(deps, actor(tenantId, 'alice', 'rep'), new Date().toISOString(), {
      type: 'opportunity.stage_changed',
      entityType: 'opportunity',
      entityId: `${label}-${index}`,
      data: { index, label },
    });
    await deps.db.entities.domainEvent.put(item).go();
    items.push(item);
  }
  return items;
}

async function writeNonEvent(tenantId: string): Promise<void> {
  const entry = {
    tenantId,
    entityId: 'cust-1',
    auditId: deps.ids.next(),
    entityType: 'customer',
    action: 'create',
    actor: 'alice',
    at: new Date().toISOString(),
  };
  const key = { tenantId, entityId: entry.entityId, auditId: entry.auditId };
  await deps.db.entities.auditEntry.put(entry).go();
  await deps.db.entities.auditEntry.patch(key).set({ action: 'update' }).go(); // MODIFY
  await deps.db.entities.auditEntry.delete(key).go(); // REMOVE
}

async function startPoller(publisher: EventPublisher, checkpoints?: CheckpointStore, more: Partial<StreamPollerOptions> = {}): Promise<StreamPoller> {
  const poller = await startStreamPoller({
    ...table,
    handler: createPublishEventsHandler(publisher, { eventBusName: BUS }),
    checkpoints,
    retryDelayMs: 0,
    ...more,
  });
  running.push(poller);
  return poller;
}

/** This tenant's events on the bus once `expectedLastId` has arrived (the stream is in order), or at the deadline. */
async function busEventsUntil(bus: LocalEventBus, tenantId: string, expectedLastId: string, deadlineMs = 20_000): Promise<BusEvent[]> {
  const ofTenant = () => bus.events().filter((event) => event.detail.tenantId === tenantId);
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (ofTenant().some((event) => event.detail.id === expectedLastId)) return ofTenant();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return ofTenant();
}

const ids = (events: BusEvent[]) => events.map((event) => event.detail.id);

/** Deps whose clock runs ahead (the feed holds its newest second back). */
const withNow = (base: Deps, at: number): Deps => ({ ...base, clock: { now: () => new Date(at) } });

/** An outbox item no relay can read (no `type`), written past ElectroDB's validation, and where it lands in the stream. */
async function writePoison(tenantId: string): Promise<{ eventId: string }> {
  const item = eventItem(deps, actor(tenantId, 'alice', 'rep'), new Date().toISOString(), { type: 'poison', entityType: 'x', entityId: 'x' });
  const params = deps.db.entities.domainEvent.put(item).params() as { Item: Record<string, unknown>; TableName: string };
  delete params.Item.type;
  await createDocumentClient({ endpoint: table.endpoint }).send(new PutCommand({ TableName: table.tableName, Item: params.Item }));
  poisonIds.set(item.eventId, item);
  return { eventId: item.eventId };
}
const poisonIds = new Map<string, DomainEventItem>();

/** The poison record as it would have been written correctly (what a fixed writer or relay would read). */
function repaired(record: DynamoDBRecord): DynamoDBRecord {
  const eventId = record.dynamodb?.NewImage?.eventId?.S ?? '';
  const item = poisonIds.get(eventId);
  if (!item || !record.dynamodb?.NewImage) return record;
  return { ...record, dynamodb: { ...record.dynamodb, NewImage: { ...record.dynamodb.NewImage, type: { S: item.type } } } };
}

describe('stream poller → relay → local bus', () => {
  it('delivers exactly the outbox items, in id order, including those written before it started', async () => {
    const tenantId = newTenant();
    const before = await writeEvents(tenantId, 12, 'before'); // more than one PutEvents batch
    await writeNonEvent(tenantId);
    const bus = createLocalEventBus({ name: BUS });
    const seen: string[] = [];
    bus.subscribe((event) => void seen.push(String(event.detail.id)));

    await startPoller(bus);
    const after = await writeEvents(tenantId, 3, 'after');
    await writeNonEvent(tenantId);
    const last = await writeEvents(tenantId, 1, 'last');
    const written = [...before, ...after, ...last];

    const received = await busEventsUntil(bus, tenantId, written.at(-1)!.eventId);
    expect(ids(received)).toEqual(written.map((item) => item.eventId));
    expect(ids(received)).toEqual([...ids(received)].sort());
    expect(seen).toEqual(ids(received));

    const first = received[0]!;
    const item = written[0]!;
    expect(first).toMatchObject({ source: 'salesflow', 'detail-type': 'opportunity.stage_changed', time: item.at.replace(/\.\d{3}Z$/, 'Z') });
    expect(first.detail).toEqual({
      id: item.eventId,
      type: 'opportunity.stage_changed',
      entityType: 'opportunity',
      entityId: 'before-0',
      actor: 'alice',
      at: item.at,
      occurredAt: expect.any(String),
      data: { index: 0, label: 'before' },
      tenantId,
    });
  });

  it('retries what the bus refused, so every event still arrives once and in order', async () => {
    const tenantId = newTenant();
    const bus = createLocalEventBus({ name: BUS });
    let refusals = 0;
    const flaky: EventPublisher = {
      publish: async (entries) => {
        const ours = entries.some((entry) => entry.Detail.includes(tenantId));
        // Refuse the first two calls that carry this test's events outright (nothing published from them).
        if (ours && refusals < 2) {
          refusals++;
          return { failed: entries.map((_, index) => index) };
        }
        return bus.publish(entries);
      },
    };
    await startPoller(flaky);
    const written = await writeEvents(tenantId, 5, 'retried');

    const received = await busEventsUntil(bus, tenantId, written.at(-1)!.eventId);
    expect(refusals).toBe(2);
    expect(ids(received)).toEqual(written.map((item) => item.eventId));
  });

  it('resumes after its checkpoint instead of republishing the stream on restart', async () => {
    const tenantId = newTenant();
    const saved = new Map<string, string>();
    const checkpoints: CheckpointStore = {
      get: (streamArn, shardId) => saved.get(`${streamArn}|${shardId}`),
      set: (streamArn, shardId, sequenceNumber) => void saved.set(`${streamArn}|${shardId}`, sequenceNumber),
    };
    const firstBus = createLocalEventBus({ name: BUS });
    const first = await startPoller(firstBus, checkpoints);
    const earlier = await writeEvents(tenantId, 2, 'earlier');
    expect(ids(await busEventsUntil(firstBus, tenantId, earlier.at(-1)!.eventId))).toEqual(earlier.map((item) => item.eventId));
    await first.stop();

    const later = await writeEvents(tenantId, 2, 'later');
    const secondBus = createLocalEventBus({ name: BUS });
    await startPoller(secondBus, checkpoints);

    expect(ids(await busEventsUntil(secondBus, tenantId, later.at(-1)!.eventId))).toEqual(later.map((item) => item.eventId));
  });

  it("publishes the README's deal without decision factors (an empty map on DynamoDB Local's stream) and every event around it", async () => {
    const who = actor(newTenant(), 'bob', 'rep');
    const bus = createLocalEventBus({ name: BUS });
    const logged: string[] = [];
    await startPoller(bus, undefined, { log: (line) => void logged.push(line) });
    const customer = await createCustomer(deps, who, { name: 'Initech' });
    await createOpportunity(deps, who, { customerId: customer.id, name: 'Initech expansion', expectedCloseDate: '2027-03-31' });
    const around = await writeEvents(who.tenantId, 3, 'around');

    const received = await busEventsUntil(bus, who.tenantId, around.at(-1)!.eventId);
    const feed = (await listEvents(withNow(deps, Date.now() + 5_000), who, { limit: 100 })).items.map((event) => event.id);
    // Every event of the feed, none lost (the items of one transaction reach the stream in no particular order).
    expect([...ids(received)].sort()).toEqual(feed);
    expect(received.map((event) => event['detail-type'])).toEqual(expect.arrayContaining(['customer.created', 'opportunity.created', 'customer.lifecycle_changed']));
    expect(received.find((event) => event['detail-type'] === 'opportunity.created')?.detail.data).toMatchObject({ opportunity: { decisionFactors: {} } });
    expect(logged.filter((line) => line.includes('parked'))).toEqual([]);
  });

  it('parks a poison record with a clear log line and delivers every other record of its batch in order; a redrive hands it over again', async () => {
    const tenantId = newTenant();
    const bus = createLocalEventBus({ name: BUS });
    const deadLetters = memoryDeadLetterStore();
    const logged: string[] = [];
    // Written before the poller starts, so that the poison record and its neighbours reach the relay in one batch.
    const before = await writeEvents(tenantId, 3, 'before');
    const poison = await writePoison(tenantId);
    const after = await writeEvents(tenantId, 4, 'after');
    let readable = false;
    const relay = createPublishEventsHandler(bus, { eventBusName: BUS });
    const handler: StreamPollerOptions['handler'] = (event) =>
      relay(readable ? { Records: event.Records.map(repaired) } : event);
    await startPoller(bus, undefined, { handler, deadLetters, retryAttempts: 2, log: (line) => void logged.push(line) });

    const received = await busEventsUntil(bus, tenantId, after.at(-1)!.eventId);
    expect([...new Set(ids(received))]).toEqual([...before, ...after].map((item) => item.eventId));
    expect(deadLetters.list().map((entry) => entry.record.dynamodb?.NewImage?.eventId?.S)).toEqual([poison.eventId]);
    expect(logged.filter((line) => line.includes('parked'))).toEqual([expect.stringMatching(/record \d+ still failing after 2 retries .*cannot be published.*parked in memory.*redrive-events/)]);

    readable = true;
    expect(await redriveDeadLetters(deadLetters, handler)).toEqual({ redriven: 1, stillFailing: 0 });
    expect(ids(bus.events().filter((event) => event.detail.tenantId === tenantId))).toContain(poison.eventId);
    expect(deadLetters.list()).toEqual([]);
  });

  it('refuses to start on a table without a stream', async () => {
    const tableName = `no-stream-${randomUUID()}`;
    await createDynamoClient({ endpoint: table.endpoint }).send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    await expect(startStreamPoller({ endpoint: table.endpoint, tableName, handler: async () => undefined })).rejects.toThrow(
      `Table ${tableName} has no stream enabled`,
    );
  });
});

describe('toLambdaRecord', () => {
  const arn = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x';

  it('gives records the Lambda event shape: binary as base64, times in epoch seconds', () => {
    const record = toLambdaRecord(
      {
        eventID: 'e1',
        eventName: 'INSERT',
        dynamodb: {
          ApproximateCreationDateTime: new Date('2026-06-01T10:00:00Z'),
          Keys: { pk: { S: 'a' } },
          NewImage: { pk: { S: 'a' }, blob: { B: new Uint8Array([1, 2, 3]) }, nested: { M: { list: { L: [{ N: '1' }, { B: new Uint8Array([255]) }] } } } },
          SequenceNumber: '000000000000000000001',
        },
      },
      arn,
      'us-east-1',
    );
    expect(record).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: arn,
      dynamodb: {
        ApproximateCreationDateTime: Date.parse('2026-06-01T10:00:00Z') / 1000,
        NewImage: { pk: { S: 'a' }, blob: { B: 'AQID' }, nested: { M: { list: { L: [{ N: '1' }, { B: '/w==' }] } } } },
        SequenceNumber: '000000000000000000001',
      },
    });
  });

  it('drops what Lambda never delivers: DynamoDB Local names TTL deletions UNKNOWN_TO_SDK_VERSION', () => {
    const ttlDelete = { eventID: 'e2', eventName: 'UNKNOWN_TO_SDK_VERSION', dynamodb: { SequenceNumber: '2' } };
    expect(toLambdaRecord(ttlDelete as unknown as Parameters<typeof toLambdaRecord>[0], arn, 'us-east-1')).toBeUndefined();
  });
});
