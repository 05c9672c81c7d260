import { describe, expect, it } from 'vitest';
import { atMost, median, ms, percentile, ratio, summarize } from '../../bench/lib/stats';

describe('bench arithmetic', () => {
  it('takes percentiles by nearest rank, whatever the order of the samples', () => {
    const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 90)).toBe(9);
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile(samples, 101)).toThrow(RangeError);
  });

  it('summarizes samples', () => {
    expect(summarize([2, 4, 6])).toEqual({ count: 3, p50: 4, p99: 6, min: 2, max: 6, mean: 4 });
    expect(summarize([])).toBeUndefined();
  });

  it('divides by the floor, and refuses a missing or zero floor', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 3)).toBe(0.33);
    expect(ratio(1, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
  });

  it('says met at the limit, not met above it, not measured without a value', () => {
    expect(atMost(1.25, 1.25)).toBe('met');
    expect(atMost(1.26, 1.25)).toBe('not met');
    expect(atMost(undefined, 1)).toBe('not measured');
    expect(atMost(Number.NaN, 1)).toBe('not measured');
  });

  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('prints milliseconds with sensible precision', () => {
    expect([ms(0.1234), ms(12.345), ms(123.4), ms(undefined)]).toEqual(['0.12', '12.3', '123', '–']);
  });
});
