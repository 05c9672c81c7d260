/**
 * The daily pipeline snapshot: the open pipeline of every scope (the `open` flow aggregates) as a day of the
 * tenant's calendar ended, kept two years, so a trend is a read of snapshots and never a reconstruction.
 * Taken by the first rollup run after local midnight, from the aggregates rolled up to that midnight.
 */
import { DateTime } from 'luxon';
import type { Deps } from '../shared/ports';
import { OPEN_PERIOD } from './aggregate-keys';
import type { Counters } from './counters';

/** Two years and a month, in seconds (TTL). */
const KEEP_SECONDS = (2 * 366 + 31) * 86_400;

/** The day a snapshot is due for (the local day that ended last), or null when it was taken. */
export function snapshotDue(now: Date, timezone: string, lastTaken: string | undefined): { day: string; endedAt: Date } | null {
  const midnight = DateTime.fromJSDate(now).setZone(timezone).startOf('day');
  const day = midnight.minus({ days: 1 }).toISODate() as string;
  if (lastTaken !== undefined && lastTaken >= day) return null;
  return { day, endedAt: midnight.toJSDate() };
}

/** Takes a day's snapshot from the aggregates as they are (idempotent: the first one of a day stays). */
export async function takeSnapshot(deps: Deps, tenantId: string, due: { day: string }): Promise<void> {
  const { data } = await deps.db.entities.kpiAggregate.query
    .byPeriod({ tenantId, period: OPEN_PERIOD })
    .begins({ family: 'flow' })
    .go({ pages: 'all' });
  const scopes: Record<string, Counters> = {};
  for (const item of data) scopes[item.scope] = item.counters;
  const takenAt = deps.clock.now();
  await deps.db.entities.pipelineSnapshot
    .put({ tenantId, day: due.day, scopes, takenAt: takenAt.toISOString(), expiresAt: Math.floor(takenAt.getTime() / 1000) + KEEP_SECONDS })
    .where((attr, op) => op.notExists(attr.day))
    .go()
    .catch((error: unknown) => {
      // Taken meanwhile by an overlapping run: the same day's figures, keep the first.
      if (!String((error as Error).message).includes('conditional')) throw error;
    });
  await deps.db.entities.kpiTenant
    .patch({ tenantId })
    .set({ snapshotDay: due.day })
    .where((attr, op) => `${op.notExists(attr.snapshotDay)} OR ${op.lt(attr.snapshotDay, due.day)}`)
    .go()
    .catch((error: unknown) => {
      if (!String((error as Error).message).includes('conditional')) throw error;
    });
}
