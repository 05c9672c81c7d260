/** Use cases: an opportunity's follow-up history — the activities linked to it, kept by the customers context. */
import { getOpportunityActivities, logActivity } from '../customers';
import type { ActivityView, CreateActivityInput } from '../customers/schemas';
import type { Actor } from '../shared/actor';
import type { Page, PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { readOpportunity } from './opportunities';

/** Logs a follow-up on the opportunity; it also shows on its customer's timeline. */
export async function logOpportunityActivity(deps: Deps, actor: Actor, opportunityId: string, input: CreateActivityInput): Promise<ActivityView> {
  const opportunity = await readOpportunity(deps, actor, opportunityId);
  return logActivity(deps, actor, opportunity.customerId, { ...input, opportunityId: opportunity.opportunityId });
}

export async function getOpportunityTimeline(deps: Deps, actor: Actor, opportunityId: string, input: PageRequest): Promise<Page<ActivityView>> {
  await readOpportunity(deps, actor, opportunityId);
  return getOpportunityActivities(deps, actor, opportunityId, input);
}
