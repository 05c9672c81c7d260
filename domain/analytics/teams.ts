/** Who is in which team, as the KPI rollup attributes figures (a user's team now). */
import type { Deps } from '../shared/ports';

/** user → team, for every member of a team of the tenant. */
export async function teamMembership(_deps: Deps, _tenantId: string): Promise<Map<string, string>> {
  return new Map();
}
