/**
 * The records KPIs are made of (subjects), as the rollup and the recompute read them: which subject an event
 * names, and the facts of a subject read from its records (./contributions.ts turns them into counters).
 */
import { NotFoundError } from '../errors';
import { readOpportunityHistory } from '../pipeline';
import { getSettings } from '../settings';
import type { Actor } from '../shared/actor';
import type { DomainEventItem } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import type { ContributionContext, SubjectFacts } from './contributions';
import { teamMembership } from './teams';

/**
 * A subject and where its record is: `opportunity:<id>`, `customer:<id>`, `activity:<customerId>:<activityId>:
 * <occurredAt>` (an activity's key holds its customer and time).
 */
export interface Subject {
  id: string;
}

export const opportunitySubject = (opportunityId: string): Subject => ({ id: `opportunity:${opportunityId}` });
export const customerSubject = (customerId: string): Subject => ({ id: `customer:${customerId}` });
export const activitySubject = (customerId: string, activityId: string, occurredAt: string): Subject => ({
  id: `activity:${customerId}:${activityId}:${occurredAt}`,
});

/** The subject an event is about, if KPIs count it. */
export function subjectOfEvent(event: Pick<DomainEventItem, 'entityType' | 'entityId' | 'type' | 'data'>): Subject | null {
  if (event.entityType === 'opportunity') return opportunitySubject(event.entityId);
  if (event.entityType === 'customer') return customerSubject(event.entityId);
  if (event.type === 'activity.logged') {
    const activity = (event.data?.activity ?? {}) as { customerId?: unknown; occurredAt?: unknown };
    if (typeof activity.customerId === 'string' && typeof activity.occurredAt === 'string') {
      return activitySubject(activity.customerId, event.entityId, activity.occurredAt);
    }
  }
  return null;
}

/** Users a team change moved in or out of a team: the subjects they own count for another team now. */
export function usersMovedByEvent(event: Pick<DomainEventItem, 'type' | 'data'>): string[] {
  if (event.type !== 'team.updated' && event.type !== 'team.deleted') return [];
  const data = event.data ?? {};
  const users = [data.membersAdded, data.membersRemoved, data.members].flatMap((list) => (Array.isArray(list) ? list : []));
  return users.filter((user): user is string => typeof user === 'string');
}

/** Every subject that contributes to a user's figures (their contributions, by user). */
export async function subjectsOfUsers(deps: Deps, tenantId: string, users: readonly string[]): Promise<Subject[]> {
  const result: Subject[] = [];
  for (const user of users) {
    const { data } = await deps.db.entities.kpiContribution.query.byUser({ tenantId, user }).go({ pages: 'all', attributes: ['subject'] });
    for (const item of data) result.push({ id: item.subject });
  }
  return result;
}

/** What a subject's contribution is computed from, or null when its record is gone. */
export async function readSubjectFacts(deps: Deps, tenantId: string, subject: Subject): Promise<SubjectFacts | null> {
  const [kind, ...rest] = subject.id.split(':');
  if (kind === 'opportunity') return readOpportunityFacts(deps, tenantId, rest.join(':'));
  if (kind === 'customer') {
    const { data } = await deps.db.entities.customer.get({ tenantId, customerId: rest.join(':') }).go({ consistent: true });
    return data ? { kind: 'customer', customerId: data.customerId, owner: data.owner, customerSince: data.customerSince } : null;
  }
  if (kind === 'activity') {
    const [customerId = '', activityId = '', ...time] = rest;
    const { data } = await deps.db.entities.activity.get({ tenantId, customerId, activityId, occurredAt: time.join(':') }).go({ consistent: true });
    return data ? { kind: 'activity', activityId, type: data.type, occurredAt: data.occurredAt, createdBy: data.createdBy } : null;
  }
  return null;
}

async function readOpportunityFacts(deps: Deps, tenantId: string, opportunityId: string): Promise<SubjectFacts | null> {
  let history: Awaited<ReturnType<typeof readOpportunityHistory>>;
  try {
    history = await readOpportunityHistory(deps, tenantId, opportunityId);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
  const { opportunity: deal, stageChanges, closeDateChanges } = history;
  return {
    kind: 'opportunity',
    opportunityId,
    owner: deal.owner,
    status: deal.status,
    stage: deal.stage,
    amount: deal.amount,
    probability: deal.probability,
    createdAt: deal.createdAt,
    closedAt: deal.closedAt,
    expectedCloseDate: deal.expectedCloseDate,
    forecastCategoryOverride: deal.forecastCategoryOverride,
    closeRate: deal.closeRate,
    stageChanges: stageChanges.map((change) => ({ from: change.from, to: change.to, at: change.at })),
    closeDateChanges: closeDateChanges.map((change) => ({ from: change.from, to: change.to, at: change.at })),
  };
}

/** The tenant's calendar, base currency and teams, as contributions are computed now. */
export async function loadRollupContext(deps: Deps, tenantId: string): Promise<ContributionContext> {
  const [settings, teams] = await Promise.all([getSettings(deps, systemActor(tenantId), { consistent: true }), teamMembership(deps, tenantId)]);
  return {
    calendar: { timezone: settings.reportingTimezone, fiscalYearStartMonth: settings.fiscalYearStartMonth },
    baseCurrency: settings.baseCurrency,
    teamOf: (userId) => teams.get(userId) ?? null,
  };
}

export const ROLLUP_USER = 'system:kpi-rollup';
export const systemActor = (tenantId: string): Actor => ({ tenantId, userId: ROLLUP_USER, roles: [] });
