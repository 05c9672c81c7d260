/**
 * Who may work a deal's quotes and contracts: whoever may change the opportunity now — its current owner (a rep),
 * or a manager or an admin. Never the owner a quote or contract was made under: after a reassignment the new owner
 * works them and the previous one no longer can. The stored `owner` of a quote or contract is a copy refreshed on
 * each of its writes; views show the opportunity's.
 */
import { readOpportunity, type OpportunityItem } from '../pipeline';
import { assertMayChangeOwned, type Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import type { WriteSet } from '../shared/versioned-write';

/** The deal a quote or contract belongs to, read to be changed through it: 403 unless the caller may. */
export async function readDealToChange(deps: Deps, actor: Actor, opportunityId: string, what: 'quote' | 'contract'): Promise<OpportunityItem> {
  const opportunity = await readOpportunity(deps, actor, opportunityId);
  assertMayChangeOwned(actor, opportunity.owner, what);
  return opportunity;
}

/**
 * In the write's transaction: the deal still has the owner the caller was judged against. A reassignment in
 * between cancels the write, which is then read and judged again (versioned-write.ts), so the previous owner's
 * change never lands after the deal was taken from them.
 */
export function dealOwnerUnchanged(tx: WriteSet, opportunity: OpportunityItem): void {
  tx.record(
    'opportunity',
    tx.entities.opportunity
      .check({ tenantId: opportunity.tenantId, opportunityId: opportunity.opportunityId })
      .where((attr, op) => op.eq(attr.owner, opportunity.owner))
      .commit(),
  );
}

/** The current owner of each of these deals (one batch read), for views of quotes or contracts of many deals. */
export async function dealOwners(deps: Deps, tenantId: string, opportunityIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(opportunityIds)];
  if (ids.length === 0) return new Map();
  const { data, unprocessed } = await deps.db.entities.opportunity
    .get(ids.map((opportunityId) => ({ tenantId, opportunityId })))
    .go({ attributes: ['opportunityId', 'owner'] });
  const owners = new Map(data.map((opportunity) => [opportunity.opportunityId, opportunity.owner]));
  // What the batch left for later (throttling) is read one by one rather than shown with a stale owner.
  for (const { opportunityId } of unprocessed) {
    const { data: opportunity } = await deps.db.entities.opportunity.get({ tenantId, opportunityId }).go({ attributes: ['opportunityId', 'owner'] });
    if (opportunity) owners.set(opportunity.opportunityId, opportunity.owner);
  }
  return owners;
}
