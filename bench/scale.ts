/**
 * Scale: every collection read of the route table (list, timeline, history, feed, report — a GET whose path does
 * not end in a record id) at both tenant sizes, with its standard request and the filtered queries a client app
 * sends, interleaved; and the reads that aggregate (a rep's load). Time and DynamoDB requests must not grow with
 * the tenant: a page costs a page.
 */
import type { RouteDefinition } from '../functions/http/routes';
import { measureInterleaved, type LatencyOptions, type RouteLatency } from './latency';

/** Filtered queries measured besides the standard request, per route id (realistic client-app lists). */
export const SCALE_QUERIES: Partial<Record<string, string[]>> = {
  listCustomers: ['limit=50', 'segment=smb&limit=50', 'owner=bob&lifecycle=prospect&limit=50', 'q=customer 00&limit=20'],
  listOpportunities: ['stage=quote&limit=50', 'owner=carol&status=open&closeFrom=2027-03-01&closeTo=2027-04-30&limit=50'],
  listEvents: ['limit=100'],
};

/**
 * Single-record reads whose answer is computed over many records, at a record both tenants have: a rep's load
 * (open opportunities and leads), which assignment reads for every rep of a pool.
 */
export const SCALE_PATHS: Partial<Record<string, string[]>> = {
  getRep: ['/reps/bob'],
};

/** A GET of a collection: not a single record (path ends in a parameter) and not public. */
export function isCollectionRead(route: RouteDefinition): boolean {
  return route.method === 'GET' && route.access !== 'public' && !/\{\w+\}$/.test(route.path);
}

export interface ScaleRow {
  route: string;
  small: RouteLatency;
  large: RouteLatency;
}

export async function measureScale(options: Omit<LatencyOptions, 'tenant'> & {
  routes: readonly RouteDefinition[];
  tenants: { small: string; large: string };
  log: (line: string) => void;
}): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  const requests = options.routes.flatMap((route) => [
    ...(isCollectionRead(route) ? [undefined, ...(SCALE_QUERIES[route.id] ?? [])].map((query) => ({ route, query, path: undefined })) : []),
    ...(SCALE_PATHS[route.id] ?? []).map((path) => ({ route, query: undefined, path })),
  ]);
  for (const { route, query, path } of requests) {
    const [small, large] = (await measureInterleaved(route, [
      { ...options, tenant: options.tenants.small, query, path },
      { ...options, tenant: options.tenants.large, query, path },
    ])) as [RouteLatency, RouteLatency];
    rows.push({ route: small.route, small, large });
    const figure = (row: RouteLatency) => row.skipped ?? `${row.handler?.p50.toFixed(2)} ms, ${row.requests} req`;
    options.log(`  ${small.route.padEnd(60)} small ${figure(small)} · large ${figure(large)}`);
  }
  return rows;
}
