/** The bench's arithmetic: percentiles, summaries, ratios and budget verdicts. Pure, unit-tested. */

/** The p-th percentile (0–100) by nearest rank on the sorted samples; undefined without samples. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  if (p < 0 || p > 100) throw new RangeError(`A percentile is between 0 and 100, not ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary | undefined {
  if (samples.length === 0) return undefined;
  const sum = samples.reduce((total, value) => total + value, 0);
  return {
    count: samples.length,
    p50: percentile(samples, 50)!,
    p99: percentile(samples, 99)!,
    min: Math.min(...samples),
    max: Math.max(...samples),
    mean: sum / samples.length,
  };
}

/** measured ÷ floor, rounded to 2 decimals; undefined when the floor is zero or missing. */
export function ratio(measured: number | undefined, floor: number | undefined): number | undefined {
  if (measured === undefined || floor === undefined || floor <= 0) return undefined;
  return Math.round((measured / floor) * 100) / 100;
}

export type Verdict = 'met' | 'not met' | 'not measured';

/** A budget: `value` must be at most `limit`. */
export function atMost(value: number | undefined, limit: number): Verdict {
  if (value === undefined || Number.isNaN(value)) return 'not measured';
  return value <= limit ? 'met' : 'not met';
}

/** Median of a few runs (cold starts); the middle value, or the mean of the two middle ones. */
export function median(samples: readonly number[]): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Milliseconds with a sensible precision for a table. */
export function ms(value: number | undefined): string {
  if (value === undefined) return '–';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}
