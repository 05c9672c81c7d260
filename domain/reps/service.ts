/** Rep profiles (admins and managers keep them) and reps' current open work. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { NotFoundError } from '../errors';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { compact, diffFields } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import type { PutRepInput, RepView } from './schemas';

export type RepProfileItem = EntityItem<SalesDb['entities']['repProfile']>;

/** Paused "until further notice" is stored as a pause until this date. */
const INDEFINITELY = '9999-12-31';

export async function findRepProfile(deps: Deps, tenantId: string, userId: string, options: { consistent?: boolean } = {}): Promise<RepProfileItem | null> {
  const { data } = await deps.db.entities.repProfile.get({ tenantId, userId }).go(options);
  return data;
}

export async function getRep(deps: Deps, actor: Actor, userId: string): Promise<RepView> {
  const profile = await findRepProfile(deps, actor.tenantId, userId);
  if (!profile) throw new NotFoundError(`No rep profile for ${userId}`);
  return { ...toRepView(profile), load: await openWork(deps, actor.tenantId, userId) };
}

export async function listReps(deps: Deps, actor: Actor, input: PageRequest): Promise<Page<RepView>> {
  const page = await readPage(deps, `${actor.tenantId}|reps`, input, deps.db.entities.repProfile.query.byTenant({ tenantId: actor.tenantId }));
  return { ...page, items: page.items.map(toRepView) };
}

/** Every profile of the tenant: the candidates of assignment (reps are tens, not thousands). */
export async function allRepProfiles(deps: Deps, tenantId: string): Promise<RepProfileItem[]> {
  const { data } = await deps.db.entities.repProfile.query.byTenant({ tenantId }).go({ pages: 'all' });
  return data;
}

/** Creates or replaces a rep's profile (admins, managers). `If-Match` guards a replace. */
export async function putRep(deps: Deps, actor: Actor, userId: string, input: PutRepInput, options: { ifMatch?: number }): Promise<RepView> {
  const saved = await versionedWrite(deps, options, {
    read: async () => {
      const profile = await findRepProfile(deps, actor.tenantId, userId, { consistent: true });
      return { profile, version: profile?.version ?? 0 };
    },
    version: (current) => current.version,
    build: ({ profile: current, version }) => {
      const now = deps.clock.now().toISOString();
      const next: RepProfileItem = compact({
        tenantId: actor.tenantId,
        userId,
        displayName: input.displayName,
        manager: input.manager,
        industries: input.skills?.industries ?? [],
        products: input.skills?.products ?? [],
        languages: input.skills?.languages ?? [],
        territory: input.territory,
        experience: input.experience,
        maxOpenOpportunities: input.capacity.maxOpenOpportunities,
        maxOpenLeads: input.capacity.maxOpenLeads,
        pausedUntil: input.availability?.status === 'paused' ? (input.availability.until ?? INDEFINITELY) : undefined,
        updatedAt: now,
        updatedBy: actor.userId,
        version: version + 1,
      });
      const log = logChange(deps, actor, now, {
        entityType: 'repProfile',
        entityId: userId,
        action: current ? 'update' : 'create',
        changes: diffFields(current ? toRepView(current) : {}, toRepView(next), ['version', 'updatedAt', 'updatedBy']),
        events: [{ type: 'rep.updated', data: { userId } }],
      });
      return {
        result: next,
        write: (tx) =>
          tx
            .record(
              'repProfile',
              current
                ? tx.entities.repProfile
                    .put(next)
                    .where((attr, op) => op.eq(attr.version, current.version))
                    .commit()
                : tx.entities.repProfile.create(next).commit(),
            )
            .log(log),
      };
    },
  });
  return { ...toRepView(saved), load: await openWork(deps, actor.tenantId, userId) };
}

/**
 * A rep's open work now: open opportunities they own, and active customers still `lead`. Counted from the
 * owner indexes, so it never drifts from the records.
 */
export async function openWork(deps: Deps, tenantId: string, userId: string): Promise<{ openOpportunities: number; openLeads: number }> {
  const [opportunities, leads] = await Promise.all([
    deps.db.entities.opportunity.query
      .byOwner({ tenantId, owner: userId })
      .where((attr, op) => op.eq(attr.status, 'open'))
      .go({ pages: 'all', attributes: ['opportunityId'] }),
    deps.db.entities.customer.query
      .byOwner({ tenantId, owner: userId, state: 'active' })
      .where((attr, op) => op.eq(attr.lifecycle, 'lead'))
      .go({ pages: 'all', attributes: ['customerId'] }),
  ]);
  return { openOpportunities: opportunities.data.length, openLeads: leads.data.length };
}

export function isAvailable(profile: Pick<RepProfileItem, 'pausedUntil'>, now: Date): boolean {
  return profile.pausedUntil === undefined || profile.pausedUntil < now.toISOString().slice(0, 10);
}

export function toRepView(item: RepProfileItem): RepView {
  const paused = item.pausedUntil !== undefined;
  return compact({
    userId: item.userId,
    displayName: item.displayName,
    manager: item.manager,
    skills: { industries: item.industries, products: item.products, languages: item.languages },
    territory: item.territory,
    experience: item.experience,
    capacity: { maxOpenOpportunities: item.maxOpenOpportunities, maxOpenLeads: item.maxOpenLeads },
    availability: compact({ status: paused ? ('paused' as const) : ('active' as const), until: paused && item.pausedUntil !== INDEFINITELY ? item.pausedUntil : undefined }),
    version: item.version,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
  });
}
