/**
 * What one `npm run bench` invocation measures and where it writes, decided from its arguments before anything
 * runs. Pure, so the choices are unit-tested (test/unit/bench-plan.test.ts).
 *
 * - The whole run: every route, two tenants (1,000 and 10,000 customers), jobs and HTTP load; it writes the
 *   baseline, `results.json` and `RESULTS.md`.
 * - `--routes a,b` (to judge one change): only those routes' scale and latency rows and their functions' bundles
 *   and cold starts; no jobs, no HTTP load (neither depends on a route). A collection read is compared between
 *   the two sizes, so both are seeded; routes that read and write records by key (no collection) are measured on
 *   one 1,000-customer tenant — their requests and capacity do not depend on the tenant's size. It writes
 *   `results.partial.json` and `RESULTS.partial.md` beside the baseline, never over it.
 * - `--smoke` (for `npm test`): tiny tenants, a few routes, a few iterations.
 */
import { join } from 'node:path';
import type { RouteDefinition } from '../../functions/http/routes';
import { SCALE_PATHS, isCollectionRead } from '../scale';

export const FULL_SIZES = { small: 1_000, large: 10_000 } as const;
export const SMOKE_SIZES = { small: 10, large: 100 } as const;
/** The routes `--smoke` measures when no `--routes` is given: for scale, and for latency. */
export const SMOKE_ROUTES = { scale: ['listCustomers'], latency: ['getCustomer', 'listCustomers', 'createCustomer'] } as const;

export interface BenchArgs {
  smoke: boolean;
  /** `--routes`: comma-separated route ids. */
  routes?: string;
  /** `--out`: the directory results are written to. */
  out: string;
}

export interface BenchPlan {
  /** `--routes` was given: the results are partial and never replace the baseline. */
  partial: boolean;
  /** The routes of the scale phase and of the latency phase. */
  scaleRoutes: RouteDefinition[];
  latencyRoutes: RouteDefinition[];
  /** The functions whose bundles and cold starts are measured; undefined: every Lambda. */
  functions?: string[];
  /** Customers per seeded tenant: `large` only when something compares two sizes. */
  sizes: { small: number; large?: number };
  /** The tenant the latency phase runs on. */
  latencyTenant: 'small' | 'large';
  jobs: boolean;
  http: boolean;
  /** What this run leaves out or does differently from the baseline, and why: printed and written with the results. */
  notes: string[];
  files: { json: string; markdown: string };
}

/** Where results go: the baseline's names for a whole run (or a smoke run), the `.partial` ones for `--routes`. */
export function resultFiles(out: string, partial: boolean): { json: string; markdown: string } {
  return partial
    ? { json: join(out, 'results.partial.json'), markdown: join(out, 'RESULTS.partial.md') }
    : { json: join(out, 'results.json'), markdown: join(out, 'RESULTS.md') };
}

/** Does the scale phase have a row for this route (a collection read, or a single read computed over many records)? */
export function hasScaleRows(route: RouteDefinition): boolean {
  return isCollectionRead(route) || (SCALE_PATHS[route.id]?.length ?? 0) > 0;
}

export function planRun(args: BenchArgs, table: readonly RouteDefinition[]): BenchPlan {
  const ids = args.routes
    ?.split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const sizes = args.smoke ? SMOKE_SIZES : FULL_SIZES;
  const pick = (wanted: readonly string[]) => table.filter((route) => wanted.includes(route.id));
  if (ids === undefined) {
    return {
      partial: false,
      scaleRoutes: args.smoke ? pick(SMOKE_ROUTES.scale) : [...table],
      latencyRoutes: args.smoke ? pick(SMOKE_ROUTES.latency) : [...table],
      sizes: { ...sizes },
      latencyTenant: 'large',
      jobs: true,
      http: true,
      notes: [],
      files: resultFiles(args.out, false),
    };
  }
  if (ids.length === 0) throw new Error('--routes needs route ids, e.g. --routes getCustomer,listCustomers');
  const unknown = ids.filter((id) => !table.some((route) => route.id === id));
  if (unknown.length > 0) {
    throw new Error(`Unknown route id${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')} (route ids are the \`id\`s in functions/http/<context>/routes.ts, such as getCustomer)`);
  }
  const chosen = pick(ids);
  const scaled = chosen.filter(hasScaleRows);
  const twoSizes = scaled.length > 0;
  const functions = [...new Set(chosen.map((route) => route.fn))];
  const names = (routes: readonly RouteDefinition[]) => listed(routes.map((route) => route.id));
  const notes = [
    `Only ${names(chosen)}, and the bundle and cold start of ${chosen.length === 1 ? 'its' : 'their'} ${functions.length === 1 ? 'function' : 'functions'} (${listed(functions)}); no scheduled jobs, no HTTP load (the baseline has them).`,
    twoSizes
      ? `Two tenants, ${sizes.small} and ${sizes.large} customers, as in the baseline: ${names(scaled)} ${scaled.length === 1 ? 'is' : 'are'} compared between the two sizes.`
      : `One tenant of ${sizes.small} customers instead of two (${sizes.small} and ${sizes.large}): ${chosen.length === 1 ? 'this route reads and writes' : 'these routes read and write'} records by key, never a collection of the tenant, ` +
        `which takes the same requests and capacity at any tenant size. Compare the ratio to the floor (measured on the same data) with the baseline's.`,
  ];
  return {
    partial: true,
    scaleRoutes: scaled,
    latencyRoutes: chosen,
    functions,
    sizes: twoSizes ? { ...sizes } : { small: sizes.small },
    latencyTenant: twoSizes ? 'large' : 'small',
    jobs: false,
    http: false,
    notes,
    files: resultFiles(args.out, true),
  };
}

/** "a", "a and b", "a, b and c" */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
