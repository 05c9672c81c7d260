/**
 * Pure rules of planning: what a targets request means once checked (which target of which scope it sets or
 * removes), and what a forecast call must hold. No I/O: the use cases (targets.ts, forecasts.ts) read settings
 * and teams and call these.
 */
import { TEAM_ID_PATTERN } from '../directory';
import { ValidationError, type FieldIssue } from '../errors';
import { USER_ID_PATTERN } from '../shared/actor';
import type { StoredMoney } from '../shared/money';
import type { TARGET_METRICS, TARGET_SCOPES } from './model';

/**
 * The most targets one request sets: a request is one transaction (at most 100 items), one item per target it
 * changes plus its audit entry and event. 90 is 30 reps × 3 metrics, or every metric of 22 reps; more are set
 * in several requests (each sets only the targets it lists).
 */
export const MAX_TARGETS_PER_REQUEST = 90;

export type TargetScope = (typeof TARGET_SCOPES)[number];
export type TargetMetric = (typeof TARGET_METRICS)[number];

/** A target as a request asks for it, before any check. */
export interface RequestedTarget {
  scope: TargetScope;
  id?: string | undefined;
  metric: TargetMetric;
  value: StoredMoney | number | null;
}

/** A target as it will be stored, or removed (`value: null`); `index` is its place in the request. */
export interface PlannedTarget {
  index: number;
  scope: TargetScope;
  scopeId: string;
  metric: TargetMetric;
  /** Minor units (revenue_won) or a count; null removes the target. */
  value: number | null;
  currency?: string;
}

/** The key of a target within its period. */
export const targetKey = (target: { scope: string; scopeId: string; metric: string }) => `${target.scope}:${target.scopeId}:${target.metric}`;

/**
 * Checks a targets request against the tenant: each scope's id (a rep's user id, a team id; for `tenant`
 * nothing or the tenant's own id, stored as the tenant id), money in the base currency, and no target twice.
 * Every issue is a 400 naming its field (`body.targets.<i>.…`); the period's other targets are not touched.
 */
export function planTargets(requested: readonly RequestedTarget[], tenant: { tenantId: string; baseCurrency: string }): PlannedTarget[] {
  const issues: FieldIssue[] = [];
  const seen = new Map<string, number>();
  const planned: PlannedTarget[] = [];
  requested.forEach((target, index) => {
    const at = `body.targets.${index}`;
    const scopeId = target.scope === 'tenant' ? tenant.tenantId : target.id;
    if (target.scope === 'tenant' && target.id !== undefined && target.id !== tenant.tenantId) {
      issues.push({ path: `${at}.id`, message: `A tenant target is the tenant's own (${tenant.tenantId}): leave the id out` });
    } else if (target.scope === 'rep' && !(target.id !== undefined && USER_ID_PATTERN.test(target.id))) {
      issues.push({ path: `${at}.id`, message: target.id === undefined ? "Required: the rep's user id" : 'Must be a user id' });
    } else if (target.scope === 'team' && !(target.id !== undefined && TEAM_ID_PATTERN.test(target.id))) {
      issues.push({ path: `${at}.id`, message: target.id === undefined ? 'Required: the team id' : 'Must be a team id (a lowercase slug such as east)' });
    }
    let value: number | null = null;
    let currency: string | undefined;
    if (target.value !== null && typeof target.value === 'object') {
      if (target.value.currency !== tenant.baseCurrency) {
        issues.push({ path: `${at}.value.currency`, message: `Must be the base currency ${tenant.baseCurrency}` });
      }
      value = target.value.amount;
      currency = target.value.currency;
    } else if (typeof target.value === 'number') {
      value = target.value;
    }
    if (scopeId === undefined) return;
    const key = targetKey({ scope: target.scope, scopeId, metric: target.metric });
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ path: at, message: `The ${target.metric} target of ${target.scope} ${scopeId} is in this request already (targets.${first})` });
      return;
    }
    seen.set(key, index);
    planned.push({ index, scope: target.scope, scopeId, metric: target.metric, value, ...(currency !== undefined && { currency }) });
  });
  if (issues.length > 0) throw new ValidationError('Some targets cannot be set', issues);
  return planned;
}

/**
 * A forecast call: commit and best case in the base currency, and best case at least commit (the best case
 * includes what is committed: a smaller one is a typo, not a forecast). 400s name `body.commit…`/`body.bestCase…`.
 */
export function assertForecastCall(call: { commit: StoredMoney; bestCase: StoredMoney }, baseCurrency: string): void {
  const issues: FieldIssue[] = [];
  for (const field of ['commit', 'bestCase'] as const) {
    if (call[field].currency !== baseCurrency) issues.push({ path: `body.${field}.currency`, message: `Must be the base currency ${baseCurrency}` });
  }
  if (issues.length === 0 && call.bestCase.amount < call.commit.amount) {
    issues.push({ path: 'body.bestCase', message: 'Must be at least the commit: the best case includes what is committed' });
  }
  if (issues.length > 0) throw new ValidationError('The forecast call cannot be kept', issues);
}
