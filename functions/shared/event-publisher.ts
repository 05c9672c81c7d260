/**
 * Where domain events go once they leave the outbox: a port, so the stream handler
 * (functions/streams/publish-events.ts) runs unchanged against EventBridge on AWS and against the local bus
 * (infra/local/local-event-bus.ts) on one machine.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { logger } from './runtime';

/** One event for the bus: the PutEvents request entry, with the fields Salesflow always sets made required. */
export interface BusEntry {
  Source: string;
  DetailType: string;
  /** JSON. */
  Detail: string;
  EventBusName: string;
  Time: Date;
}

export interface PublishResult {
  /** Indexes (into the entries passed to `publish`) of the entries the bus did not accept, ascending. */
  failed: number[];
}

export interface EventPublisher {
  /**
   * Publishes at most {@link MAX_ENTRIES_PER_PUT} entries of at most {@link MAX_PUT_EVENTS_BYTES} in total.
   * Rejects only when the call as a whole failed (nothing can be said about any entry).
   */
  publish(entries: readonly BusEntry[]): Promise<PublishResult>;
}

/** PutEvents limits: entries per call, and bytes per call (the sum of {@link entrySize}). */
export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;

/**
 * The size EventBridge counts for an entry: 14 bytes for `Time`, plus the UTF-8 bytes of Source, DetailType,
 * Detail (and Resources, which Salesflow does not set). As in "Calculating PutEvents event entry size" of the
 * EventBridge user guide.
 */
export function entrySize(entry: BusEntry): number {
  return 14 + Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);
}

/** Publishes to EventBridge. Build it once per cold start, with a client built once per cold start. */
export class EventBridgePublisher implements EventPublisher {
  constructor(private readonly client: EventBridgeClient = new EventBridgeClient({})) {}

  async publish(entries: readonly BusEntry[]): Promise<PublishResult> {
    if (entries.length === 0) return { failed: [] };
    const response = await this.client.send(new PutEventsCommand({ Entries: [...entries] }));
    if (!response.FailedEntryCount) return { failed: [] };
    const results = response.Entries ?? [];
    const failed = entries.map((_, index) => index).filter((index) => results[index]?.EventId === undefined || results[index]?.ErrorCode !== undefined);
    logger.warn('PutEvents did not accept every entry', {
      failedEntryCount: response.FailedEntryCount,
      errors: failed.map((index) => ({ index, code: results[index]?.ErrorCode, message: results[index]?.ErrorMessage })),
    });
    // FailedEntryCount > 0 without per-entry results cannot say which ones: then none counts as published.
    return { failed: failed.length > 0 ? failed : entries.map((_, index) => index) };
  }
}
