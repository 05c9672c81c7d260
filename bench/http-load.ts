/**
 * HTTP load: throughput and latency of the local API (the server `npm start` runs) under a mixed client-app
 * workload — four reads to one write — at several concurrency levels, with autocannon.
 *
 * The API server and autocannon run in the same Node process, sharing one event loop on a 2-core machine: the
 * figures are those of the API and its load generator together, a lower bound on what the server alone would
 * do. Accepted, to keep the bench one command. (autocannon's worker threads would not help: `setupRequest`
 * must then be a file path, and the server still shares the process.)
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

export interface HttpLoadRow {
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** The part of an autocannon result a row is made of; latencies in ms. */
export interface LoadResult {
  /** Completed requests: `average` per second over the run's 1-s samples, `total` in all. */
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
}

export function toHttpLoadRow(connections: number, result: LoadResult): HttpLoadRow {
  return {
    connections,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export interface HttpLoadOptions {
  baseUrl: string;
  tokens: { rep: string; manager: string };
  customerIds: string[];
  connections: number[];
  durationSeconds: number;
  log: (line: string) => void;
}

/** autocannon 9 has a warmup option that @types/autocannon (written for 7.x) does not know. */
type OptionsWithWarmup = autocannon.Options & { warmup: { connections: number; duration: number } };

const WARMUP_SECONDS = 1;

export async function measureHttpLoad(options: HttpLoadOptions): Promise<HttpLoadRow[]> {
  if (options.customerIds.length === 0) throw new Error('HTTP load needs seeded customers');
  const rows: HttpLoadRow[] = [];
  for (const connections of options.connections) {
    let firstNon2xx: string | undefined;
    const config: OptionsWithWarmup = {
      url: options.baseUrl,
      connections,
      duration: options.durationSeconds,
      // The warmup's requests are not in the result.
      warmup: { connections, duration: WARMUP_SECONDS },
      requests: mixedWorkload(options, (line) => (firstNon2xx ??= line)),
    };
    const row = toHttpLoadRow(connections, await autocannon(config));
    rows.push(row);
    options.log(
      `  ${String(connections).padStart(3)} connections: ${row.requestsPerSecond.toFixed(0)} req/s, ` +
        `p50 ${row.p50} ms, p90 ${row.p90} ms, p99 ${row.p99} ms, max ${row.max} ms; ` +
        `${row.requests} requests, ${row.non2xx} non-2xx, ${row.errors} errors (${row.timeouts} timeouts)`,
    );
    if (firstNon2xx) options.log(`      first non-2xx: ${firstNon2xx}`);
  }
  return rows;
}

/** What one connection sends, in a loop: every request on a random seeded customer. */
function mixedWorkload(options: HttpLoadOptions, onNon2xx: (line: string) => void): autocannon.Request[] {
  const { customerIds, tokens } = options;
  const customer = () => customerIds[Math.floor(Math.random() * customerIds.length)]!;
  const rep = { authorization: `Bearer ${tokens.rep}` };
  const manager = { authorization: `Bearer ${tokens.manager}` };
  const onResponse = (status: number, body: string) => {
    if (status < 200 || status >= 300) onNon2xx(`${status} ${body.slice(0, 300)}`);
  };
  const requests: autocannon.Request[] = [
    { method: 'GET', headers: rep, setupRequest: (request) => ({ ...request, path: `/customers/${customer()}` }) },
    { method: 'GET', headers: manager, path: '/customers?segment=smb&limit=20' },
    { method: 'GET', headers: manager, setupRequest: (request) => ({ ...request, path: `/customers/${customer()}/timeline` }) },
    // lead: the default pipeline's first stage (domain/pipeline/rules.ts).
    { method: 'GET', headers: manager, path: '/opportunities?stage=lead&limit=20' },
    {
      // A manager: reps may log history on their own customers only.
      method: 'POST',
      body: JSON.stringify({ type: 'call', subject: 'Follow-up call' }),
      setupRequest: (request) => ({
        ...request,
        path: `/customers/${customer()}/activities`,
        headers: { ...request.headers, ...manager, 'content-type': 'application/json', 'idempotency-key': `bench-${randomUUID()}` },
      }),
    },
  ];
  return requests.map((request) => ({ ...request, onResponse }));
}
