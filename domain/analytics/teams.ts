/** Who is in which team, as the KPI rollup attributes figures: a user's team now (domain/directory). */
import { listAllTeams } from '../directory';
import type { Deps } from '../shared/ports';

/** user → team, for every member of a team of the tenant (one query of the tenant's teams). */
export async function teamMembership(deps: Deps, tenantId: string): Promise<Map<string, string>> {
  const membership = new Map<string, string>();
  for (const team of await listAllTeams(deps, tenantId)) for (const member of team.members) membership.set(member, team.id);
  return membership;
}
