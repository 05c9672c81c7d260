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
import { createDeps, createDynamoClient } from '../../functions/shared/runtime';
import { createPublishEventsHandler } from '../../functions/streams/publish-events';
import { type BusEvent, createLocalEventBus, type LocalEventBus } from '../../infra/local/local-event-bus';
import { type CheckpointStore, type StreamPoller, startStreamPoller, toLambdaRecord } from '../../infra/local/stream-poller';
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

async function startPoller(publisher: EventPublisher, checkpoints?: CheckpointStore): Promise<StreamPoller> {
  const poller = await startStreamPoller({
    ...table,
    handler: createPublishEventsHandler(publisher, { eventBusName: BUS }),
    checkpoints,
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
