/** The bench's report: budget verdicts per figure, the JSON results and the Markdown tables. Pure. */
import type { ColdStarts } from '../cold-start';
import type { HttpLoadRow } from '../http-load';
import type { JobRow } from '../jobs';
import type { RouteLatency } from '../latency';
import type { ScaleRow } from '../scale';
import { atMost, ms, ratio, type Verdict } from './stats';

export const BUDGETS = {
  handlerP50Ratio: 1.25,
  addedP99Ms: 2,
  readRequests: 2,
  bundleKb: 250,
  /** Cold init of an HTTP function over the DynamoDB-only floor (issue 13's goal). */
  coldInitRatio: 1.3,
  scaleRatio: 1.2,
};

/** A route that reads or changes one record: its path ends in the record's id. The handler budgets apply to these. */
export function isSingleItemRoute(route: string): boolean {
  return /\}$/.test(route.split('?')[0]!);
}

export interface ReportInput {
  latency: RouteLatency[];
  scale: ScaleRow[];
  jobs: JobRow[];
  http: HttpLoadRow[];
  coldStarts: ColdStarts;
  /** Customers per seeded tenant (`large` absent when one tenant was enough, see bench/lib/plan.ts). */
  sizes: { small: number; large?: number };
  /** The size of the tenant the latency phase ran on; default `sizes.large`. */
  latencySize?: number;
  /** A `--routes` run: what it left out and why, and the baseline to compare its rows with. */
  partial?: { routes: string[]; notes: string[]; baseline?: Baseline; baselineFile: string };
  seededItems: number;
  /** Seconds per phase of the run, and `total`. */
  phases: Record<string, number>;
  machine: string;
  date: string;
}

function judgeRoute(row: RouteLatency) {
  const p50Ratio = ratio(row.handler?.p50, row.floor?.p50);
  const addedP99Ms = row.handler && row.floor ? row.handler.p99 - row.floor.p99 : undefined;
  const singleItem = isSingleItemRoute(row.route);
  const read = row.route.startsWith('GET ');
  const transactions = (row.commands ?? []).filter((command) => command === 'TransactWriteItems').length;
  const notBudgeted = row.skipped ? 'not measured' : 'no budget';
  return {
    ...row,
    p50Ratio,
    addedP99Ms,
    verdicts: {
      handlerP50: singleItem ? atMost(p50Ratio, BUDGETS.handlerP50Ratio) : notBudgeted,
      addedP99: singleItem ? atMost(addedP99Ms, BUDGETS.addedP99Ms) : notBudgeted,
      requests: (row.requests === undefined ? 'not measured' : read ? atMost(row.requests, BUDGETS.readRequests) : atMost(transactions, 1)) as Verdict,
    },
  };
}

function judgeScale(row: ScaleRow) {
  const timeRatio = ratio(row.large.handler?.p50, row.small.handler?.p50);
  // The same requests replayed raw: when the floor grows as much, the store is what grew, not the handler.
  const floorRatio = ratio(row.large.floor?.p50, row.small.floor?.p50);
  const requestRatio = ratio(row.large.requests, row.small.requests);
  const side = (measured: RouteLatency) => ({
    p50: measured.handler?.p50,
    floorP50: measured.floor?.p50,
    requests: measured.requests,
    capacity: measured.capacity,
    skipped: measured.skipped,
  });
  return {
    route: row.route,
    small: side(row.small),
    large: side(row.large),
    timeRatio,
    floorRatio,
    requestRatio,
    verdicts: { time: atMost(timeRatio, BUDGETS.scaleRatio), requests: atMost(requestRatio, BUDGETS.scaleRatio) },
  };
}

function judgeJobs(rows: JobRow[]) {
  return rows.map((row) => {
    const small = rows.find((other) => other.job === row.job && other.tenant === 'small' && other.changes === row.changes);
    const timeRatio = row.tenant === 'large' && small ? ratio(row.ms, small.ms) : undefined;
    const requestRatio = row.tenant === 'large' && small ? ratio(row.requests, small.requests) : undefined;
    return {
      ...row,
      timeRatio,
      requestRatio,
      verdict: (row.tenant === 'large' && small ? atMost(Math.max(timeRatio ?? Infinity, requestRatio ?? 1), BUDGETS.scaleRatio) : 'no budget') as
        | Verdict
        | 'no budget',
    };
  });
}

const kb = (bytes: number) => Math.round(bytes / 1024);

/** What a partial run compares with: the committed results.json (only the fields read here). */
export interface Baseline {
  date?: string;
  routes?: Array<{ id?: string; route?: string; handler?: { p50?: number }; p50Ratio?: number; requests?: number; skipped?: string }>;
  scale?: Array<{ route?: string; large?: { p50?: number; requests?: number }; timeRatio?: number; requestRatio?: number }>;
}

/** Each measured row next to the baseline's row of the same route (and query): p50, ratio to the floor, requests. */
export function compareWithBaseline(
  routes: ReadonlyArray<{ route: string; handler?: { p50: number }; p50Ratio?: number; requests?: number; skipped?: string }>,
  baseline: Baseline,
): string[] {
  const figures = (row: { handler?: { p50?: number }; p50Ratio?: number; requests?: number; skipped?: string } | undefined) =>
    !row ? '– | – | –' : row.skipped ? 'not measured | – | –' : `${ms(row.handler?.p50)} | ${row.p50Ratio ?? '–'}× | ${row.requests ?? '–'}`;
  return routes.map((row) => `| ${row.route} | ${figures(row)} | ${figures(baseline.routes?.find((old) => old.route === row.route))} |`);
}

export function buildReport(input: ReportInput) {
  const { machine, date, sizes, partial } = input;
  const latencySize = input.latencySize ?? sizes.large ?? sizes.small;
  const tenantsLine = sizes.large === undefined ? `one tenant of ${sizes.small} customers` : `tenants of ${sizes.small} and ${sizes.large} customers`;
  const routes = input.latency.map(judgeRoute);
  const scale = input.scale.map(judgeScale);
  const jobs = judgeJobs(input.jobs);
  const { floorMs, sdkFloorMs, sdkFloorBytes } = input.coldStarts;
  const functions = input.coldStarts.functions.map((fn) => ({
    ...fn,
    kb: kb(fn.bytes),
    initRatio: ratio(fn.initMs, floorMs),
    sdkInitRatio: ratio(fn.initMs, sdkFloorMs),
    verdicts: { bundle: atMost(fn.bytes / 1024, BUDGETS.bundleKb), coldInit: atMost(ratio(fn.initMs, sdkFloorMs), BUDGETS.coldInitRatio) },
  }));
  const count = (verdicts: Verdict[]) => `${verdicts.filter((verdict) => verdict === 'met').length} of ${verdicts.filter((verdict) => verdict !== 'not measured').length} met`;
  const section = (rows: unknown[], body: () => string[]) => (rows.length > 0 ? body() : []);
  const lines = [
    partial ? `# Benchmark results (partial: --routes ${partial.routes.join(',')})` : '# Benchmark results',
    '',
    `${date} · ${machine} · DynamoDB Local in memory · ${tenantsLine} (${input.seededItems} items)`,
    '',
    `Run: ${Object.entries(input.phases)
      .map(([name, seconds]) => `${name} ${seconds} s`)
      .join(' · ')}`,
    '',
    ...(partial
      ? [
          ...partial.notes.map((note) => `- ${note}`),
          '',
          ...(partial.baseline
            ? [
                `## Against the baseline (${partial.baselineFile}, ${partial.baseline.date ?? 'undated'}; handler p50 in ms, ratio to the floor, DynamoDB requests)`,
                '',
                `| route | now p50 | ratio | requests | baseline p50 | ratio | requests |`,
                '|---|---:|---:|---:|---:|---:|---:|',
                ...compareWithBaseline(routes, partial.baseline),
                '',
              ]
            : [`No baseline (${partial.baselineFile}) to compare with.`, '']),
        ]
      : []),
    `## Handler vs floor, on the ${latencySize}-customer tenant`,
    '',
    `Budgets: single-item routes p50 ≤ ${BUDGETS.handlerP50Ratio}× the floor and added p99 ≤ ${BUDGETS.addedP99Ms} ms; reads ≤ ${BUDGETS.readRequests} requests; a write = one transaction. ` +
      `Single-item p50: ${count(routes.map((row) => row.verdicts.handlerP50).filter((verdict): verdict is Verdict => verdict !== 'no budget'))}; ` +
      `requests: ${count(routes.map((row) => row.verdicts.requests))}.`,
    '',
    '| route | handler p50 | p99 | floor p50 | p99 | ratio | requests | capacity | verdicts |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...routes.map((row) =>
      row.skipped
        ? `| ${row.route} | – | – | – | – | – | – | – | not measured: ${row.skipped} |`
        : `| ${row.route} | ${ms(row.handler?.p50)} | ${ms(row.handler?.p99)} | ${ms(row.floor?.p50)} | ${ms(row.floor?.p99)} | ${row.p50Ratio ?? '–'}× | ${row.requests} (${(row.commands ?? []).join(', ')}) | ${row.capacity} | p50 ${row.verdicts.handlerP50}; p99 ${row.verdicts.addedP99}; requests ${row.verdicts.requests} |`,
    ),
    '',
    ...section(scale, () => [
      `## Scale: collection reads at ${sizes.small} vs ${sizes.large} customers (budget: ≤ ${BUDGETS.scaleRatio}× in time and requests)`,
      '',
      'Time is the handler p50; "floor ×" is the same growth for the raw DynamoDB requests, so a time not met with a floor grown as much is the store, not the handler.',
      '',
      '| route | small p50 | requests | large p50 | requests | capacity small → large | time × | floor × | verdicts |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
      ...scale.map((row) =>
        row.small.skipped || row.large.skipped
          ? `| ${row.route} | – | – | – | – | – | – | – | not measured: ${row.small.skipped ?? row.large.skipped} |`
          : `| ${row.route} | ${ms(row.small.p50)} | ${row.small.requests} | ${ms(row.large.p50)} | ${row.large.requests} | ${row.small.capacity} → ${row.large.capacity} | ${row.timeRatio ?? '–'}× | ${row.floorRatio ?? '–'}× | time ${row.verdicts.time}; requests ${row.verdicts.requests} |`,
      ),
      '',
    ]),
    ...section(jobs, () => [
      `## Scheduled jobs (budget: the same changes cost ≤ ${BUDGETS.scaleRatio}× on the ${sizes.large}-customer tenant)`,
      '',
      '| job | tenant | changes | time | requests | timers handled | vs small | verdict |',
      '|---|---|---:|---:|---:|---:|---:|---|',
      ...jobs.map(
        (row) =>
          `| ${row.job} | ${row.tenant} (${sizes[row.tenant]}) | ${row.changes} | ${ms(row.ms)} ms | ${row.requests} | ${row.handled} | ${row.timeRatio === undefined ? '–' : `${row.timeRatio}×`} | ${row.verdict} |`,
      ),
      '',
    ]),
    ...section(input.http, () => [
      '## HTTP: the local server under a mixed load (4 reads : 1 write; server and load generator share this machine)',
      '',
      '| connections | requests/s | p50 | p90 | p99 | max | requests | non-2xx | errors |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...input.http.map(
        (row) =>
          `| ${row.connections} | ${row.requestsPerSecond.toFixed(0)} | ${ms(row.p50)} | ${ms(row.p90)} | ${ms(row.p99)} | ${ms(row.max)} | ${row.requests} | ${row.non2xx} | ${row.errors + row.timeouts} |`,
      ),
      '',
    ]),
    `## Bundles and cold starts (budgets: ≤ ${BUDGETS.bundleKb} KB, init ≤ ${BUDGETS.coldInitRatio}× the DynamoDB-only floor's ${ms(sdkFloorMs)} ms)`,
    '',
    `An empty handler takes ${ms(floorMs)} ms; one that only builds a DynamoDB client, bundled the same way (${kb(sdkFloorBytes)} KB), takes ${ms(sdkFloorMs)} ms: no function of this architecture can go below that. Medians of interleaved rounds (one import of every bundle per round).`,
    '',
    '| stack part | bundle | init | × DynamoDB-only |',
    '|---|---:|---:|---:|',
    ...input.coldStarts.stackParts.map((part) => `| ${part.name} | ${kb(part.bytes)} KB | ${ms(part.initMs)} ms | ${ratio(part.initMs, sdkFloorMs) ?? '–'}× |`),
    '',
    '| function | bundle | init | × empty | × DynamoDB-only | verdicts |',
    '|---|---:|---:|---:|---:|---|',
    ...functions.map(
      (fn) => `| ${fn.name} | ${fn.kb} KB | ${ms(fn.initMs)} ms | ${fn.initRatio ?? '–'}× | ${fn.sdkInitRatio ?? '–'}× | bundle ${fn.verdicts.bundle}; init ${fn.verdicts.coldInit} |`,
    ),
    '',
  ];
  return {
    json: {
      ...(partial && { partial: { routes: partial.routes, notes: partial.notes } }),
      date,
      machine,
      sizes,
      seededItems: input.seededItems,
      phases: input.phases,
      budgets: BUDGETS,
      routes,
      scale,
      jobs,
      http: input.http,
      coldStart: { floorMs, sdkFloorMs, sdkFloorBytes, stackParts: input.coldStarts.stackParts, functions },
    },
    markdown: lines.join('\n'),
  };
}
