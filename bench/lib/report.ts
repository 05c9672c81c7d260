/** The bench's report: budget verdicts per figure, the JSON results and the Markdown table. Pure. */
import type { ColdStart } from '../cold-start';
import type { RouteLatency } from '../latency';
import { atMost, ms, ratio } from './stats';

export const BUDGETS = {
  handlerP50Ratio: 1.25,
  addedP99Ms: 2,
  readRequests: 2,
  bundleKb: 250,
  coldInitRatio: 2,
};

export function buildReport(input: {
  latency: RouteLatency[];
  coldStarts: { floorMs?: number; functions: ColdStart[] };
  customers: number;
  machine: string;
  date: string;
}) {
  const { machine, date } = input;
  const routes = input.latency.map((row) => {
    const p50Ratio = ratio(row.handler?.p50, row.floor?.p50);
    const addedP99 = row.handler && row.floor ? row.handler.p99 - row.floor.p99 : undefined;
    const read = row.route.startsWith('GET ');
    const transactions = (row.commands ?? []).filter((command) => command === 'TransactWriteItems').length;
    return {
      ...row,
      p50Ratio,
      addedP99Ms: addedP99,
      verdicts: {
        handlerP50: atMost(p50Ratio, BUDGETS.handlerP50Ratio),
        addedP99: atMost(addedP99, BUDGETS.addedP99Ms),
        requests: row.requests === undefined ? ('not measured' as const) : read ? atMost(row.requests, BUDGETS.readRequests) : atMost(transactions, 1),
      },
    };
  });
  const { floorMs } = input.coldStarts;
  const functions = input.coldStarts.functions.map((fn) => ({
    ...fn,
    kb: Math.round(fn.bytes / 1024),
    initRatio: ratio(fn.initMs, floorMs),
    verdicts: { bundle: atMost(fn.bytes / 1024, BUDGETS.bundleKb), coldInit: atMost(ratio(fn.initMs, floorMs), BUDGETS.coldInitRatio) },
  }));
  const lines = [
    '# Benchmark results',
    '',
    `${date} · ${machine} · DynamoDB Local in memory · tenant of ${input.customers} customers`,
    '',
    `## Handler vs floor (budgets: p50 ≤ ${BUDGETS.handlerP50Ratio}× floor, added p99 ≤ ${BUDGETS.addedP99Ms} ms, reads ≤ ${BUDGETS.readRequests} requests, a write = one transaction)`,
    '',
    '| route | handler p50 | p99 | floor p50 | p99 | ratio | requests | capacity | verdicts |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...routes.map((row) =>
      row.skipped
        ? `| ${row.route} | – | – | – | – | – | – | – | not measured: ${row.skipped} |`
        : `| ${row.route} | ${ms(row.handler?.p50)} | ${ms(row.handler?.p99)} | ${ms(row.floor?.p50)} | ${ms(row.floor?.p99)} | ${row.p50Ratio ?? '–'}× | ${row.requests} (${(row.commands ?? []).join(', ')}) | ${row.capacity} | p50 ${row.verdicts.handlerP50}; p99 ${row.verdicts.addedP99}; requests ${row.verdicts.requests} |`,
    ),
    '',
    `## Bundles and cold starts (budgets: ≤ ${BUDGETS.bundleKb} KB, init ≤ ${BUDGETS.coldInitRatio}× an empty handler's ${ms(floorMs)} ms)`,
    '',
    '| function | bundle | init | ratio | verdicts |',
    '|---|---:|---:|---:|---|',
    ...functions.map((fn) => `| ${fn.name} | ${fn.kb} KB | ${ms(fn.initMs)} ms | ${fn.initRatio ?? '–'}× | bundle ${fn.verdicts.bundle}; init ${fn.verdicts.coldInit} |`),
    '',
  ];
  return { json: { date, machine, customers: input.customers, budgets: BUDGETS, routes, coldStart: { floorMs, functions } }, markdown: lines.join('\n') };
}

