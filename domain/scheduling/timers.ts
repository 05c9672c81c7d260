/** Timers: scheduled looks at records (domain/scheduling/model.ts), and finding the due ones. */
import { createHash } from 'node:crypto';
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import type { Deps } from '../shared/ports';
import type { TimerKind } from './model';

export type TimerItem = EntityItem<SalesDb['entities']['timer']>;

export const TIMER_SHARDS = 4;

export function timerId(kind: TimerKind, subjectId: string): string {
  return `${kind}:${subjectId}`;
}

/** A timer to put in the caller's transaction (a put replaces the record's previous timer of this kind). */
export function timerItem(tenantId: string, kind: TimerKind, subjectId: string, dueAt: string, step: string, version = 1): TimerItem {
  const id = timerId(kind, subjectId);
  const shard = String(createHash('sha1').update(`${tenantId}/${id}`).digest().readUInt8(0) % TIMER_SHARDS);
  return { tenantId, timerId: id, kind, subjectId, shard, dueAt, step, version };
}

/** Every timer due at `now`, oldest first per shard: one query per shard, however many timers exist. */
export async function dueTimers(deps: Deps, now: Date, limitPerShard = 500): Promise<TimerItem[]> {
  // The sort key continues after dueAt (tenant, id): "due at or before now" is "before now + 1 ms".
  const before = new Date(now.getTime() + 1).toISOString();
  const shards = Array.from({ length: TIMER_SHARDS }, (_, shard) => String(shard));
  const pages = await Promise.all(
    shards.map((shard) =>
      deps.db.entities.timer.query
        .byDue({ shard })
        .lt({ dueAt: before })
        .go({ limit: limitPerShard, count: limitPerShard }),
    ),
  );
  return pages.flatMap((page) => page.data);
}

/** An open deal's stale check: `staleAfterDays` after its latest activity or stage move. */
export function staleDealTimer(tenantId: string, opportunityId: string, staleAfterDays: number, from: Date): TimerItem {
  return timerItem(tenantId, 'deal', opportunityId, new Date(from.getTime() + staleAfterDays * 86_400_000).toISOString(), 'stale');
}
