/**
 * Choosing an owner by the tenant's assignment rules. Choosing reads the rule's turn counter, the pool of rep
 * profiles with each one's open work (domain/reps), then takes its own turn from the counter (an atomic ADD)
 * and replays the turns in flight since its read (strategies.pickInTurn): a burst of parallel leads is spread
 * as the strategy says, without locks or retries.
 */
import { notificationItems, type NotificationItem } from '../notifications';
import { allRepProfiles, isAvailable, openWork } from '../reps';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import type { AssignmentRulesView } from './schemas';
import { eligible, matchRule, pickInTurn, type AssignmentRule, type Candidate, type RecordFacts, type Strategy } from './strategies';

/** `"owner": "auto"` on a create: the assignment rules choose. */
export const AUTO_OWNER = 'auto';

/** A choice of the rules: call `settle` once the record is written (or not), so its turn is no longer in flight. */
export type Chosen = Assignment & { settle: () => Promise<void> };

/** What an assignment event says. */
export function assignmentData(assignment: Assignment): Record<string, unknown> {
  return { owner: assignment.owner, rule: assignment.rule, strategy: assignment.strategy, fallback: assignment.fallback, reason: assignment.reason };
}

/** Who gets a record, and why; notifications are made once the record's id is known. */
export interface Assignment {
  owner: string;
  rule?: string;
  strategy?: Strategy;
  /** No rule placed it: it went to the fallback owner (or its creator), and managers are told. */
  fallback: boolean;
  reason: string;
}

export async function getAssignmentRules(deps: Deps, actor: Actor, options: { consistent?: boolean } = {}): Promise<AssignmentRulesView> {
  const { data } = await deps.db.entities.assignmentRules.get({ tenantId: actor.tenantId }).go(options);
  if (!data) return { rules: [], version: 0 };
  return {
    rules: data.rules,
    ...(data.fallbackOwner !== undefined && { fallbackOwner: data.fallbackOwner }),
    version: data.version,
    updatedAt: data.updatedAt,
    updatedBy: data.updatedBy,
  };
}

/** Runs the tenant's rules for a record. */
export async function chooseOwner(deps: Deps, actor: Actor, record: RecordFacts): Promise<Chosen> {
  const config = await getAssignmentRules(deps, actor);
  const rule = matchRule(config.rules, record);
  const fallbackOwner = config.fallbackOwner ?? actor.userId;
  const nothingToSettle = async () => undefined;
  if (!rule) return { owner: fallbackOwner, fallback: true, reason: 'no assignment rule matches', settle: nothingToSettle };
  if (rule.strategy === 'round_robin') return roundRobin(deps, actor, rule, record, fallbackOwner);
  // The settled turns before the loads are read, then the loads, then our own turn: every turn between the two
  // is in flight (maybe missing from the loads) and is replayed (see pickInTurn).
  const seen = await settledTurns(deps, actor.tenantId, rule.name);
  const pool = eligible(rule, await candidates(deps, actor.tenantId, rule, record), record);
  const chosen = pool.length > 0 ? pickInTurn(rule, pool, record, seen, await nextTicket(deps, actor.tenantId, rule.name)) : undefined;
  const settle = pool.length > 0 ? () => settleTurn(deps, actor.tenantId, rule.name) : nothingToSettle;
  if (!chosen) {
    return { owner: fallbackOwner, rule: rule.name, strategy: rule.strategy, fallback: true, reason: `rule "${rule.name}": no rep is available with capacity`, settle };
  }
  return { owner: chosen.userId, rule: rule.name, strategy: rule.strategy, fallback: false, reason: `rule "${rule.name}" (${rule.strategy})`, settle };
}

/**
 * Round robin needs no loads to choose: the turn picks among the available reps, and only that rep's open work
 * is counted (two queries, not two per rep) — a full rep passes its turn to the next.
 */
async function roundRobin(deps: Deps, actor: Actor, rule: AssignmentRule, record: RecordFacts, fallbackOwner: string): Promise<Chosen> {
  const pool = eligible(rule, await candidates(deps, actor.tenantId, rule, record, { withLoad: false }), record);
  const settle = async () => undefined;
  if (pool.length > 0) {
    const ticket = await nextTicket(deps, actor.tenantId, rule.name);
    for (let offset = 0; offset < pool.length; offset += 1) {
      const candidate = pool[(ticket + offset) % pool.length]!;
      const work = await openWork(deps, actor.tenantId, candidate.userId);
      if ((record.kind === 'opportunity' ? work.openOpportunities : work.openLeads) < candidate.capacity) {
        return { owner: candidate.userId, rule: rule.name, strategy: rule.strategy, fallback: false, reason: `rule "${rule.name}" (round_robin)`, settle };
      }
    }
  }
  return { owner: fallbackOwner, rule: rule.name, strategy: rule.strategy, fallback: true, reason: `rule "${rule.name}": no rep is available with capacity`, settle };
}

async function settledTurns(deps: Deps, tenantId: string, ruleKey: string): Promise<number> {
  const { data } = await deps.db.entities.assignmentCursor.get({ tenantId, ruleKey }).go({ consistent: true });
  return data?.settled ?? 0;
}

async function settleTurn(deps: Deps, tenantId: string, ruleKey: string): Promise<void> {
  await deps.db.entities.assignmentCursor.update({ tenantId, ruleKey }).add({ settled: 1 }).go();
}

async function candidates(deps: Deps, tenantId: string, rule: AssignmentRule, record: RecordFacts, options = { withLoad: true }): Promise<Candidate[]> {
  const now = deps.clock.now();
  const profiles = (await allRepProfiles(deps, tenantId)).filter((profile) => !rule.reps || rule.reps.includes(profile.userId));
  return Promise.all(
    profiles.map(async (profile) => {
      const work = options.withLoad ? await openWork(deps, tenantId, profile.userId) : { openOpportunities: 0, openLeads: 0 };
      const opportunity = record.kind === 'opportunity';
      return {
        userId: profile.userId,
        experience: profile.experience,
        industries: profile.industries,
        territory: profile.territory,
        available: isAvailable(profile, now),
        load: opportunity ? work.openOpportunities : work.openLeads,
        capacity: opportunity ? profile.maxOpenOpportunities : profile.maxOpenLeads,
      };
    }),
  );
}

/** The rule's next turn: an atomic ADD, so parallel assignments never share one. */
async function nextTicket(deps: Deps, tenantId: string, ruleKey: string): Promise<number> {
  const { data } = await deps.db.entities.assignmentCursor.update({ tenantId, ruleKey }).add({ ticket: 1 }).go({ response: 'all_new' });
  return (data.ticket ?? 1) - 1;
}

/** The new owner hears of it; on a fallback, every manager too. */
export function assignmentNotifications(
  deps: Deps,
  tenantId: string,
  at: string,
  assignment: Assignment,
  subject: { type: 'customer' | 'opportunity'; id: string; name: string },
): NotificationItem[] {
  const data = { owner: assignment.owner, rule: assignment.rule, strategy: assignment.strategy, reason: assignment.reason };
  return [
    ...notificationItems(deps, tenantId, at, { users: [assignment.owner] }, {
      type: `${subject.type}.assigned`,
      title: `Assigned to you: ${subject.name}`,
      subject: { type: subject.type, id: subject.id },
      data,
    }),
    ...(assignment.fallback
      ? notificationItems(deps, tenantId, at, { role: 'manager' }, {
          type: 'assignment.fallback',
          title: `No rep could take ${subject.name} (${assignment.reason}); it went to ${assignment.owner}`,
          subject: { type: subject.type, id: subject.id },
          data,
        })
      : []),
  ];
}

/** Facts of a customer for the rules. */
export function customerFacts(customer: { segment?: string; industry?: string; territory?: string; source?: string }): RecordFacts {
  return { kind: 'customer', segment: customer.segment, industry: customer.industry, territory: customer.territory, source: customer.source };
}

