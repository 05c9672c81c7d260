/**
 * KPI counters: named integers. A record's contribution is a set of counters per aggregate key; an aggregate
 * is the sum of the contributions to its key. Everything the reports show is derived from these sums, so adding
 * and subtracting contributions is all the rollup ever does. Pure.
 */

/** Counter name → integer (zero entries are left out). */
export type Counters = Record<string, number>;

/** Aggregate key (see ./aggregate-keys.ts) → the counters one record adds to it. */
export type Contribution = Record<string, Counters>;

/** `target` plus `sign` × `delta`, in place; entries that reach zero are removed. */
export function addCounters(target: Counters, delta: Counters, sign: 1 | -1 = 1): Counters {
  for (const [name, value] of Object.entries(delta)) {
    const next = (target[name] ?? 0) + sign * value;
    if (next === 0) delete target[name];
    else target[name] = next;
  }
  return target;
}

/** Adds one to `name` (or `by`). */
export function bump(target: Counters, name: string, by = 1): void {
  if (by === 0) return;
  addCounters(target, { [name]: by });
}

/** What turns `before` into `after`, per key: after − before, keys without a difference left out. */
export function contributionDelta(before: Contribution, after: Contribution): Contribution {
  const delta: Contribution = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const difference = addCounters({ ...(after[key] ?? {}) }, before[key] ?? {}, -1);
    if (Object.keys(difference).length > 0) delta[key] = difference;
  }
  return delta;
}

/** The sum of several contributions. */
export function sumContributions(contributions: Iterable<Contribution>): Contribution {
  const total: Contribution = {};
  for (const contribution of contributions) {
    for (const [key, counters] of Object.entries(contribution)) {
      const sum = addCounters(total[key] ?? {}, counters);
      if (Object.keys(sum).length > 0) total[key] = sum;
      else delete total[key];
    }
  }
  return total;
}

/** Counters whose names start with `prefix`, with the prefix cut off. */
export function countersUnder(counters: Counters, prefix: string): Counters {
  const result: Counters = {};
  for (const [name, value] of Object.entries(counters)) if (name.startsWith(prefix)) result[name.slice(prefix.length)] = value;
  return result;
}
