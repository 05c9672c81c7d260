/**
 * The tenants the KPI rollup serves, and how it learns that a tenant's feed grew: the outbox relay adds the
 * number of events it relayed to the tenant's `feedChanges` (an ADD: it never fails, never conflicts, and the
 * first one registers the tenant). Its own module, so the relay bundles this and nothing else of analytics.
 */
import type { SalesDb } from '../db';

/** The registry's shard (one is plenty for thousands of tenants: its items are a few bytes). */
export const REGISTRY_SHARD = 'kpi';

export async function noteFeedChanges(db: SalesDb, tenantId: string, count: number): Promise<void> {
  await db.entities.kpiTenant.upsert({ tenantId, shard: REGISTRY_SHARD }).add({ feedChanges: count }).go({ response: 'none' });
}
