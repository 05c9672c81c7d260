/**
 * The KPI rollup at both tenant sizes: its cost must follow the changes since the last run, never the tenant's
 * data. The seeded history predates the rollup (its watermark starts after it); then 0, 1k and 10k feed events
 * of new customer units (a customer, contact, call, deal moved through the funnel: ~8 events and ~4 records each,
 * written as the seed writes them) are rolled up on each tenant. And a full recompute of the current fiscal
 * quarter of the large tenant from its records, timed: it reads every record of the tenant (an operator's job).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { periodsOf, recomputePeriod, rollUpTenant } from '../domain/analytics';
import { LOOKBACK_MS } from '../domain/analytics/rollup';
import type { Deps } from '../domain/shared/ports';
import type { JobRow } from './jobs';
import type { Recorder } from './lib/dynamo-recorder';
import { cloneTenant } from './seed';

/** Feed events per seeded unit (customer, contact, activities, opportunity and its moves), measured on the first batch. */
const EVENTS_PER_UNIT_GUESS = 8;

export async function measureKpiRollup(options: {
  deps: Deps;
  recorder: Recorder;
  rawClient: DynamoDBClient;
  tableName: string;
  templates: string[][];
  tenants: { small: string; large: string };
  sizes: { small?: number; large?: number };
  changes: readonly number[];
  log: (line: string) => void;
}): Promise<JobRow[]> {
  const { deps, recorder } = options;
  const rows: JobRow[] = [];
  for (const size of ['small', 'large'] as const) {
    const customers = options.sizes[size];
    if (customers === undefined) continue;
    const tenant = options.tenants[size];
    // The seeded history is older than the rollup: it starts from now. Each run reads the feed from LOOKBACK_MS
    // before its watermark (late commits): the watermark starts that far ahead, so the window holds only new changes.
    await deps.db.entities.kpiTenant.upsert({ tenantId: tenant, shard: 'kpi' }).set({ watermark: ulid(Date.now() + LOOKBACK_MS), changesSeen: 0 }).go();
    let nextUnit = customers;
    for (const changes of options.changes) {
      const units = Math.ceil(changes / EVENTS_PER_UNIT_GUESS);
      if (units > 0) {
        await cloneTenant({ client: options.rawClient, tableName: options.tableName, templates: options.templates, tenant, customers: units, firstUnit: nextUnit });
        nextUnit += units;
      }
      // The feed holds back its newest second.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      recorder.reset();
      const start = performance.now();
      const run = await rollUpTenant(deps, tenant);
      const row: JobRow = { job: 'kpi-rollup', tenant: size, changes: run.events, ms: performance.now() - start, requests: recorder.calls.length, handled: run.subjects };
      rows.push(row);
      options.log(`  kpi-rollup · ${size} tenant · ${run.events} events (${run.subjects} records): ${row.ms.toFixed(0)} ms, ${row.requests} requests, ${run.transactions} transactions`);
    }
  }
  if (options.sizes.large !== undefined) {
    const settingsCalendar = { timezone: 'UTC', fiscalYearStartMonth: 1 };
    const quarter = periodsOf(deps.clock.now(), settingsCalendar).quarter;
    recorder.reset();
    const start = performance.now();
    const run = await recomputePeriod(deps, options.tenants.large, quarter);
    const row: JobRow = { job: `kpi-recompute ${quarter}`, tenant: 'large', changes: run.subjects, ms: performance.now() - start, requests: recorder.calls.length, handled: run.aggregates };
    rows.push(row);
    options.log(`  kpi-recompute ${quarter} · large tenant · ${run.subjects} records: ${(row.ms / 1000).toFixed(1)} s, ${row.requests} requests, ${run.aggregates} aggregates written`);
  }
  return rows;
}
