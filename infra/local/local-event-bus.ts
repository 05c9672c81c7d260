/**
 * The local stand-in for the EventBridge bus: what the outbox relay (functions/streams/publish-events.ts)
 * publishes to under `npm start` and in tests. It checks entries the way PutEvents does, turns each into the
 * event EventBridge would deliver to a target, keeps the last `capacity` of them in memory, hands each to the
 * subscribers (local rules/targets, tests) and, when given `log`, logs one line per event.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import {
  type BusEntry,
  entrySize,
  type EventPublisher,
  MAX_ENTRIES_PER_PUT,
  MAX_PUT_EVENTS_BYTES,
  type PublishResult,
} from '../../functions/shared/event-publisher';

/** An event as EventBridge delivers it to a target. */
export type BusEvent = EventBridgeEvent<string, Record<string, unknown>>;
export type BusSubscriber = (event: BusEvent) => void | Promise<void>;

export interface LocalEventBus extends EventPublisher {
  readonly name: string;
  /** The last `capacity` events, oldest first. */
  events(): BusEvent[];
  /** Calls `subscriber` with every event published from now on; returns the unsubscribe function. */
  subscribe(subscriber: BusSubscriber): () => void;
}

export interface LocalEventBusOptions {
  /** The bus name entries must address (EVENT_BUS_NAME). Entries for another bus fail, as on AWS. */
  name: string;
  /** How many events to keep. */
  capacity?: number;
  /** One line per published event, and subscriber errors. */
  log?: (line: string) => void;
}

export class PutEventsValidationError extends Error {
  override name = 'ValidationException';
}

export function createLocalEventBus(options: LocalEventBusOptions): LocalEventBus {
  const capacity = options.capacity ?? 1_000;
  if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, not ${capacity}`);
  const kept: BusEvent[] = [];
  const subscribers = new Set<BusSubscriber>();

  const deliver = (event: BusEvent) => {
    for (const subscriber of subscribers) {
      // Delivery to targets is decoupled from PutEvents: a failing target never fails the publisher.
      Promise.resolve()
        .then(() => subscriber(event))
        .catch((error: unknown) => options.log?.(`[bus] subscriber failed on ${event['detail-type']} ${event.id}: ${String(error)}`));
    }
  };

  return {
    name: options.name,

    async publish(entries: readonly BusEntry[]): Promise<PublishResult> {
      if (entries.length === 0 || entries.length > MAX_ENTRIES_PER_PUT) {
        throw new PutEventsValidationError(`PutEvents takes 1 to ${MAX_ENTRIES_PER_PUT} entries, not ${entries.length}`);
      }
      const bytes = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
      if (bytes > MAX_PUT_EVENTS_BYTES) throw new PutEventsValidationError(`PutEvents request of ${bytes} bytes is over ${MAX_PUT_EVENTS_BYTES}`);

      const failed: number[] = [];
      for (const [index, entry] of entries.entries()) {
        const event = toBusEvent(entry, options.name);
        if (typeof event === 'string') {
          failed.push(index);
          options.log?.(`[bus] rejected entry ${index}: ${event}`);
          continue;
        }
        kept.push(event);
        if (kept.length > capacity) kept.shift();
        options.log?.(describe(event));
        deliver(event);
      }
      return { failed };
    },

    events: () => [...kept],

    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
  };
}

/** The delivered event, or why EventBridge would fail the entry. */
function toBusEvent(entry: BusEntry, busName: string): BusEvent | string {
  if (entry.EventBusName !== busName) return `no event bus named "${entry.EventBusName}" (this is "${busName}")`;
  if (!entry.Source || !entry.DetailType || !entry.Detail) return 'Source, DetailType and Detail are required';
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return 'Detail is not valid JSON';
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return 'Detail must be a JSON object';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '000000000000',
    time: (entry.Time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: [],
    detail: detail as Record<string, unknown>,
  };
}

function describe(event: BusEvent): string {
  const { id, tenantId, entityType, entityId } = event.detail;
  return `[bus] ${event['detail-type']}  ${String(id ?? '-')}  tenant=${String(tenantId ?? '-')}  ${String(entityType ?? '?')}/${String(entityId ?? '?')}`;
}
