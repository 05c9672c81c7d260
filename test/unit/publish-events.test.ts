/**
 * The outbox relay (functions/streams/publish-events.ts) as Lambda invokes it, with EventBridge mocked at the
 * SDK (aws-sdk-client-mock): which stream records become which events, how they are batched, and what is
 * reported back for retry when the bus does not take them; and the note it makes for the KPI rollup (DynamoDB mocked
 * too): per tenant, how many events it relayed.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DomainEventItem, eventItem } from '../../domain/shared/change-log';
import type { Deps } from '../../domain/shared/ports';
import { EventBridgePublisher, MAX_PUT_EVENTS_BYTES } from '../../functions/shared/event-publisher';
import { createMetrics } from '../../functions/shared/metrics';
import { createDeps } from '../../functions/shared/runtime';
import { OUTBOX_RETRY_ATTEMPTS } from '../../infra/constructs/outbox-relay';
import { deliverBatch } from '../../infra/local/stream-delivery';
import { actor } from '../support/dynamo';

const BUS = 'salesflow-unit';
const eventBridge = mockClient(EventBridgeClient);
const dynamo = mockClient(DynamoDBDocumentClient);
let handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
let createPublishEventsHandler: typeof import('../../functions/streams/publish-events').createPublishEventsHandler;
let createRelayLambda: typeof import('../../functions/streams/publish-events').createRelayLambda;
// Only to build items and ElectroDB's request parameters: nothing here reaches DynamoDB.
const deps: Deps = createDeps({ tableName: 'unit-table' });
const rep = actor('acme', 'alice', 'rep');

beforeAll(async () => {
  process.env.EVENT_BUS_NAME = BUS;
  process.env.TABLE_NAME = 'unit-table';
  ({ handler, createPublishEventsHandler, createRelayLambda } = await import('../../functions/streams/publish-events'));
});
beforeEach(() => {
  eventBridge.reset();
  dynamo.reset();
  dynamo.on(UpdateCommand).resolves({});
  // The bus takes everything unless a test says otherwise.
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, index) => ({ EventId: `eb-${index}` })),
  }));
});
afterAll(() => {
  eventBridge.restore();
  dynamo.restore();
});

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

describe('publish-events: the note for the KPI rollup', () => {
  it("adds each tenant's count of relayed events to its registry item, before anything is published", async () => {
    const other = actor('globex', 'gus', 'rep');
    const globexEvent = eventItem(deps, other, '2026-06-01T10:00:00.000Z', { type: 'customer.created', entityType: 'customer', entityId: 'c-1', data: {} });
    let notedBeforePublishing = false;
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
      notedBeforePublishing = dynamo.commandCalls(UpdateCommand).length === 2;
      return { FailedEntryCount: 0, Entries: input.Entries.map((_, index) => ({ EventId: `eb-${index}` })) };
    });

    await handler({ Records: [eventRecord(), eventRecord(), eventRecord(globexEvent)] });

    const notes = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    const added = Object.fromEntries(
      notes.map((input) => [input.Key?.pk, input.ExpressionAttributeValues?.[':feedChanges_u0']]),
    );
    expect(added).toEqual({ '$salesflow#tenantid_acme': 2, '$salesflow#tenantid_globex': 1 });
    expect(notes.every((input) => /ADD #feedChanges/.test(input.UpdateExpression ?? ''))).toBe(true);
    expect(notedBeforePublishing).toBe(true);
  });

  it('fails the batch, publishing nothing, when the note cannot be made (the mapping retries it whole)', async () => {
    dynamo.on(UpdateCommand).rejects(new Error('throttled'));
    await expect(handler({ Records: [eventRecord()] })).rejects.toThrow();
    expect(putCalls()).toEqual([]);
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

describe('publish-events: metrics (Embedded Metric Format)', () => {
  interface EmfLine {
    _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
    [key: string]: unknown;
  }
  let lines: EmfLine[] = [];
  const write = process.stdout.write.bind(process.stdout);

  // As on Lambda: metrics are written (the tests' environment turns that off), and an instance starts cold.
  const lambdaEnv = { POWERTOOLS_METRICS_DISABLED: 'false', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' } as const;
  const savedEnv = Object.fromEntries(Object.keys(lambdaEnv).map((key) => [key, process.env[key]]));
  /** A fresh execution environment's metrics, as functions/shared/metrics.ts builds them from a prod function's environment. */
  const lambdaMetrics = (): Metrics => createMetrics({ STAGE: 'prod', POWERTOOLS_SERVICE_NAME: 'salesflow', POWERTOOLS_METRICS_NAMESPACE: 'Salesflow' });
  const context = { functionName: 'Salesflow-prod-Stateless-OutboxRelayPublisher' } as Context;
  const relayOf = (metrics: Metrics) => createRelayLambda(new EventBridgePublisher(new EventBridgeClient({})), metrics);
  const event = (type: string, data: Record<string, unknown> = {}, tenant = 'acme') =>
    eventRecord(eventItem(deps, actor(tenant, 'alice', 'rep'), '2026-06-01T10:00:00.000Z', { type, entityType: 'contract', entityId: 'c-1', data }));
  /** The metric values of the invocation's flush (not the cold-start line), by name. */
  const counted = () => {
    const flush = lines.filter((line) => !(line._aws.CloudWatchMetrics[0]?.Metrics ?? []).some((metric) => metric.Name === 'ColdStart'));
    expect(flush).toHaveLength(1);
    return Object.fromEntries(flush[0]!._aws.CloudWatchMetrics[0]!.Metrics.map((metric) => [metric.Name, flush[0]![metric.Name]]));
  };

  beforeEach(() => {
    Object.assign(process.env, lambdaEnv);
    lines = [];
    // EMF lines go to stdout (one JSON object per line); everything else passes through.
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.startsWith('{"_aws"')) {
        lines.push(...text.trim().split('\n').map((line) => JSON.parse(line) as EmfLine));
        return true;
      }
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('counts the business events by kind, the events relayed and the records retried, in namespace Salesflow by service and stage only', async () => {
    const relay = relayOf(lambdaMetrics());
    const records = [
      event('opportunity.won', { amount: { amount: 100, currency: 'EUR' } }),
      event('opportunity.won', {}, 'globex'),
      event('opportunity.lost', { lostReason: 'price' }),
      event('contract.submitted'),
      event('contract.approved'),
      event('contract.rejected', { reason: 'rejected' }),
      event('contract.rejected', { reason: 'approval_timed_out' }, 'globex'),
      event('contract.rejected', { reason: 'approval_failed' }),
      event('task.due_soon'),
      event('task.overdue'),
      event('task.escalated'),
      event('approval.reminder'),
      event('deal.stale'),
      event('customer.created'),
    ];

    const result = await relay({ Records: records }, context);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(counted()).toEqual({
      EventsRelayed: 14,
      OutboxRecordsRetried: 0,
      OpportunitiesWon: 2,
      OpportunitiesLost: 1,
      ContractsSubmitted: 1,
      ContractsApproved: 1,
      ContractsRejected: 1,
      ContractsTimedOut: 1,
      ContractApprovalsFailed: 1,
      RemindersSent: 4,
      StaleDealFollowUps: 1,
    });
    for (const line of lines) {
      expect(line._aws.CloudWatchMetrics[0]?.Namespace).toBe('Salesflow');
      expect(line).toMatchObject({ service: 'salesflow', stage: 'prod' });
      // Never a tenant (or any record) as a dimension or a value: each would be a metric of its own.
      expect(JSON.stringify(line)).not.toMatch(/acme|globex|tenant|alice|c-1/i);
    }
    const flush = lines.find((line) => 'EventsRelayed' in line)!;
    expect(flush._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage']]);
    expect(flush._aws.CloudWatchMetrics[0]?.Metrics.every((metric) => metric.Unit === 'Count')).toBe(true);
  });

  it('writes the cold start once, with the function name, on the first invocation only', async () => {
    const relay = relayOf(lambdaMetrics());

    await relay({ Records: [event('opportunity.won')] }, context);
    await relay({ Records: [event('opportunity.won')] }, context);

    const coldStarts = lines.filter((line) => 'ColdStart' in line);
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]).toMatchObject({ ColdStart: 1, function_name: context.functionName, service: 'salesflow', stage: 'prod' });
    expect(coldStarts[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage', 'function_name']]);
    expect(lines.filter((line) => 'EventsRelayed' in line).map((line) => line.OpportunitiesWon)).toEqual([1, 1]);
  });

  it('counts an event once when its batch is retried: only what precedes the first failure counts', async () => {
    const relay = relayOf(lambdaMetrics());
    const records = Array.from({ length: 10 }, () => event('opportunity.won'));
    // The bus refuses the 4th entry and takes the rest: those after it are sent (and counted) again with the retry.
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: Array.from({ length: 10 }, (_, index) => (index === 3 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `eb-${index}` })),
      })
      .callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, index) => ({ EventId: `eb-${index}` })) }));

    const first = await relay({ Records: records }, context);
    expect(first.batchItemFailures).toHaveLength(7);
    expect(counted()).toMatchObject({ EventsRelayed: 3, OutboxRecordsRetried: 7, OpportunitiesWon: 3 });

    lines = [];
    const retry = await relay({ Records: records.slice(3) }, context);
    expect(retry.batchItemFailures).toEqual([]);
    expect(counted()).toMatchObject({ EventsRelayed: 7, OutboxRecordsRetried: 0, OpportunitiesWon: 7 });
  });

  it('writes nothing but the cold start when the invocation fails on a poison record (the mapping retries it)', async () => {
    const relay = relayOf(lambdaMetrics());
    const poison = event('opportunity.won');
    delete poison.dynamodb?.NewImage?.type;

    await expect(relay({ Records: [poison] }, context)).rejects.toThrow(/cannot be published/);

    expect(lines.map((line) => line._aws.CloudWatchMetrics[0]?.Metrics.map((metric) => metric.Name))).toEqual([['ColdStart']]);
  });
});
