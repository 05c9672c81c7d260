/**
 * Where a counter lands: an aggregate is named by its family, its period and its scope. Pure.
 *
 * - scope: `tenant`, `rep:<userId>` or `team:<teamId>`;
 * - period: a period id (./periods.ts) or `open` (the open pipeline now, whatever its close dates);
 * - family: `flow` (what happened in the period, and the open pipeline closing in it) or `stays` (how long the
 *   stays in each stage lasted that ended in the period: kept apart because their histograms are the bulk).
 *
 * A key is written `family/period/scope` (user ids may hold `:` and `|`, never `/`).
 */
import type { PeriodKind } from './periods';

export const FAMILIES = ['flow', 'stays'] as const;
export type Family = (typeof FAMILIES)[number];
export type ScopeKind = 'tenant' | 'rep' | 'team';
export const OPEN_PERIOD = 'open';

export interface AggregateKey {
  family: Family;
  /** `open` or a period id. */
  period: string;
  /** `open` or the period's kind. */
  kind: PeriodKind | typeof OPEN_PERIOD;
  scope: string;
}

export const TENANT_SCOPE = 'tenant';
export const repScope = (userId: string) => `rep:${userId}`;
export const teamScope = (teamId: string) => `team:${teamId}`;

export function aggregateKey(family: Family, period: string, scope: string): string {
  return `${family}/${period}/${scope}`;
}

export function parseAggregateKey(key: string): AggregateKey {
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  const family = key.slice(0, first) as Family;
  const period = key.slice(first + 1, second);
  return { family, period, kind: periodKindOf(period), scope: key.slice(second + 1) };
}

/** The kind of a period id, from its form alone (no calendar needed). */
export function periodKindOf(period: string): PeriodKind | typeof OPEN_PERIOD {
  if (period === OPEN_PERIOD) return OPEN_PERIOD;
  if (/^\d{4}-\d{2}-\d{2}$/.test(period)) return 'day';
  if (/^\d{4}-W\d{2}$/.test(period)) return 'week';
  if (/^\d{4}-\d{2}$/.test(period)) return 'month';
  if (/^FY\d{4}-Q[1-4]$/.test(period)) return 'quarter';
  if (/^FY\d{4}$/.test(period)) return 'year';
  throw new RangeError(`Not a period id: ${period}`);
}

export function scopeOf(scope: string): { kind: ScopeKind; id: string | null } {
  if (scope === TENANT_SCOPE) return { kind: 'tenant', id: null };
  const colon = scope.indexOf(':');
  return { kind: scope.slice(0, colon) as ScopeKind, id: scope.slice(colon + 1) };
}
