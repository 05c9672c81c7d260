/**
 * Use cases: teams (admins, and managers for their own) and the one-team-per-user rule, kept by membership
 * guards written in the same transaction as the team. The KPI rollup and reports read teams through
 * `readTeam`, `listAllTeams` and `teamOfUser`.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { hasAnyRole, SALES_PLAN_READERS, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { createdFields, diffFields } from '../shared/records';
import { versionedWrite, type WriteOptions } from '../shared/versioned-write';
import { assertDistinctMembers, memberChanges, teamWriteRefusal } from './rules';
import type { PutTeamInput, TeamView } from './schemas';

type TeamItem = EntityItem<SalesDb['entities']['team']>;
type MembershipItem = EntityItem<SalesDb['entities']['teamMembership']>;

/** One team, or null. */
export async function readTeam(deps: Deps, tenantId: string, teamId: string, options: { consistent?: boolean } = {}): Promise<TeamView | null> {
  const item = await findTeam(deps, tenantId, teamId, options);
  return item && toTeamView(item);
}

/** Every team of the tenant (one Query, all pages): for jobs such as the KPI rollup and the weekly reviews. */
export async function listAllTeams(deps: Deps, tenantId: string): Promise<TeamView[]> {
  const { data } = await deps.db.entities.team.query.byTeam({ tenantId }).go({ pages: 'all' });
  return data.map(toTeamView);
}

/** The team a user is a member of, or null: one GetItem on the user's membership guard. */
export async function teamOfUser(deps: Deps, tenantId: string, userId: string, options: { consistent?: boolean } = {}): Promise<string | null> {
  return (await findMembership(deps, tenantId, userId, options))?.teamId ?? null;
}

export async function getTeam(deps: Deps, actor: Actor, teamId: string): Promise<TeamView> {
  assertMayRead(actor);
  const team = await readTeam(deps, actor.tenantId, teamId);
  if (!team) throw new NotFoundError(`No team ${teamId}`);
  return team;
}

export async function listTeams(deps: Deps, actor: Actor, input: PageRequest): Promise<Page<TeamView>> {
  assertMayRead(actor);
  const page = await readPage(deps, `${actor.tenantId}|teams`, input, deps.db.entities.team.query.byTeam({ tenantId: actor.tenantId }));
  return { ...page, items: page.items.map(toTeamView) };
}

/**
 * Creates or replaces a team (`If-Match` guards a replace). Only the members that join or leave touch guards: a
 * joining member's guard is claimed (a member of another team is a 409 naming them and that team), a leaving
 * member's guard is released. Team, guards, audit entry and `team.updated` event commit together or not at all.
 */
export async function putTeam(deps: Deps, actor: Actor, teamId: string, input: PutTeamInput, options: WriteOptions = {}): Promise<TeamView> {
  assertDistinctMembers(input.members);
  const { tenantId } = actor;
  const saved = await versionedWrite(deps, options, {
    read: async () => {
      const team = await findTeam(deps, tenantId, teamId, { consistent: true });
      return { team, version: team?.version ?? 0 };
    },
    version: (current) => current.version,
    build: async ({ team: current }) => {
      const refusal = teamWriteRefusal(actor, current, input);
      if (refusal) throw refusal;
      const { added, removed } = memberChanges(current?.members ?? [], input.members);
      // Said up front for every member at once; the guards below decide a race with another team's write.
      const held = await findMemberships(deps, tenantId, added);
      const elsewhere = held.filter((membership) => membership.teamId !== teamId);
      if (elsewhere.length > 0) throw membershipConflict(elsewhere);
      const same =
        current !== null && current.name === input.name && current.manager === input.manager && JSON.stringify(current.members) === JSON.stringify(input.members);
      if (same) return { result: current };

      const now = deps.clock.now().toISOString();
      const next: TeamItem = {
        tenantId,
        teamId,
        name: input.name,
        manager: input.manager,
        members: input.members,
        createdAt: current?.createdAt ?? now,
        createdBy: current?.createdBy ?? actor.userId,
        updatedAt: now,
        updatedBy: actor.userId,
        version: (current?.version ?? 0) + 1,
      };
      const log = logChange(deps, actor, now, {
        entityType: 'team',
        entityId: teamId,
        action: current ? 'update' : 'create',
        changes: current ? diffFields(toTeamView(current), toTeamView(next), ['version', 'updatedAt', 'updatedBy']) : createdFields(toTeamView(next)),
        events: [{ type: 'team.updated', data: { teamId, manager: next.manager, membersAdded: added, membersRemoved: removed } }],
      });
      return {
        result: next,
        write: (tx) => {
          tx.record(
            'team',
            current
              ? tx.entities.team
                  .put(next)
                  .where((attr, op) => op.eq(attr.version, current.version))
                  .commit()
              : tx.entities.team.create(next).commit(),
          );
          for (const userId of added) {
            tx.unique('teamMembership', tx.entities.teamMembership.create({ tenantId, userId, teamId, since: now }).commit(), async () => {
              const holder = await findMembership(deps, tenantId, userId, { consistent: true });
              // Released meanwhile, or claimed by this very team in a concurrent write: re-applied, not refused.
              return holder === null || holder.teamId === teamId ? undefined : membershipConflict([holder]);
            });
          }
          for (const userId of removed) {
            tx.record(
              'teamMembership',
              tx.entities.teamMembership
                .delete({ tenantId, userId })
                .where((attr, op) => op.eq(attr.teamId, teamId))
                .commit(),
            );
          }
          tx.log(log);
        },
      };
    },
  });
  return toTeamView(saved);
}

function assertMayRead(actor: Actor): void {
  if (!hasAnyRole(actor, SALES_PLAN_READERS)) throw new ForbiddenError('Teams are for sales roles and finance');
}

async function findTeam(deps: Deps, tenantId: string, teamId: string, options: { consistent?: boolean }): Promise<TeamItem | null> {
  const { data } = await deps.db.entities.team.get({ tenantId, teamId }).go(options);
  return data;
}

async function findMembership(deps: Deps, tenantId: string, userId: string, options: { consistent?: boolean }): Promise<MembershipItem | null> {
  const { data } = await deps.db.entities.teamMembership.get({ tenantId, userId }).go(options);
  return data;
}

/** The guards of these users (one BatchGetItem: at most MAX_TEAM_MEMBERS keys). */
async function findMemberships(deps: Deps, tenantId: string, userIds: readonly string[]): Promise<MembershipItem[]> {
  if (userIds.length === 0) return [];
  const { data } = await deps.db.entities.teamMembership.get(userIds.map((userId) => ({ tenantId, userId }))).go({ consistent: true });
  return data;
}

function membershipConflict(memberships: readonly MembershipItem[]): ConflictError {
  const [first] = memberships as [MembershipItem, ...MembershipItem[]];
  const others = memberships.length > 1 ? ` (and ${memberships.length - 1} more)` : '';
  return new ConflictError(`${first.userId} is a member of team ${first.teamId} already${others}: a user belongs to at most one team, remove them there first`, {
    field: 'members',
    member: first.userId,
    team: first.teamId,
    existing: { type: 'team', id: first.teamId, href: `/teams/${first.teamId}` },
    conflicts: memberships.map((membership) => ({ member: membership.userId, team: membership.teamId })),
  });
}

function toTeamView(item: TeamItem): TeamView {
  return {
    id: item.teamId,
    name: item.name,
    manager: item.manager,
    members: item.members,
    version: item.version,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
  };
}
