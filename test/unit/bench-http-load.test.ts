import { describe, expect, it } from 'vitest';
import { toHttpLoadRow } from '../../bench/http-load';

/** Shaped like autocannon 9's result (trimmed): every percentile distinct, so a swapped field shows. */
const histogram = { average: 0, mean: 0, stddev: 0, min: 0, max: 0, total: 0, p0_001: 0, p1: 0, p2_5: 0, p10: 0, p25: 0, p50: 0, p75: 0, p90: 0, p97_5: 0, p99: 0, p99_9: 0, p99_99: 0, p99_999: 0 };
const result = {
  title: undefined,
  url: 'http://127.0.0.1:3000',
  connections: 8,
  pipelining: 1,
  duration: 3.02,
  start: new Date('2026-01-01T00:00:00Z'),
  finish: new Date('2026-01-01T00:00:03Z'),
  errors: 3,
  timeouts: 2,
  mismatches: 0,
  non2xx: 5,
  resets: 0,
  '1xx': 0,
  '2xx': 260,
  '3xx': 0,
  '4xx': 4,
  '5xx': 1,
  statusCodeStats: { '200': { count: 210 }, '201': { count: 50 }, '403': { count: 4 }, '500': { count: 1 } },
  latency: { ...histogram, average: 70.1, mean: 70.1, min: 2, p25: 20, p50: 62, p75: 120, p90: 190, p97_5: 300, p99: 358, p99_9: 390, max: 395, totalCount: 265 },
  requests: { ...histogram, average: 88.34, mean: 88.34, min: 80, max: 95, total: 265, sent: 273, p50: 90, p90: 95, p99: 95 },
  throughput: { ...histogram, average: 51_000, total: 153_000 },
};

describe('HTTP load rows', () => {
  it('takes requests/s and latency percentiles from the right histograms', () => {
    const row = toHttpLoadRow(8, result);
    expect(row).toMatchObject({ connections: 8, requestsPerSecond: 88.34, p50: 62, p90: 190, p99: 358, max: 395 });
  });

  it('counts completed requests, not sent ones', () => {
    expect(toHttpLoadRow(8, result).requests).toBe(265);
  });

  it('carries non-2xx responses, errors and timeouts over', () => {
    expect(toHttpLoadRow(8, result)).toMatchObject({ non2xx: 5, errors: 3, timeouts: 2 });
  });

  it('reports the connections it was asked for', () => {
    expect(toHttpLoadRow(1, result).connections).toBe(1);
  });
});
