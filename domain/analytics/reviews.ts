/**
 * Use cases: the weekly review of each team (issue 16, "Periodic reviews").
 *
 * Made by the KPI rollup job (rollup.ts calls `makeDueReviews` for every tenant after its rollup and snapshot):
 * once the tenant's local Monday 07:00 has passed, the review of the ISO week that ended is made for every team
 * that has none for it yet, each by a conditional create — a repeated, twice-delivered or overlapping run makes
 * it once. The review, the notification of the team's manager (linking it), its audit entry and its
 * `review.created` event commit in one transaction. The tenant's `reviewWeek` then records the week as done, so
 * later runs of that week cost nothing (no team is looked at again).
 *
 * What a review holds is computed once and kept (a point-in-time document, ReviewDocumentInput), from
 * - the KPI aggregates: the team's week and the week before, the funnel of the week's cohort, the quarter to the
 *   week's end (day aggregates from the quarter's first day to the week's last: the quarter that holds the week's
 *   last day), the open pipeline of that quarter as it stands, and the team's completed stays of the last fiscal
 *   year (that quarter and the three before) for each stage's p90;
 * - the targets of the week and of that quarter (team scope);
 * - the records: the open deals of each member (one query of `byOwner` each) and their open tasks due before the
 *   review was made (one query of `byAssignee` each, sorted by due time).
 * Money is in the base currency (open amounts at the latest rates, won deals at their frozen close rate), except
 * a stuck deal's own amount. Each list keeps the MAX_REVIEW_ROWS most pressing rows; the totals are kept beside.
 *
 * Who reads reviews: admins, managers and finance (REVIEW_READERS) — a review is a team's figures, which reps do
 * not see in the reports either (they see their own); service sees no sales figures.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { listAllTeams, readTeam } from '../directory';
import { ForbiddenError, NotFoundError } from '../errors';
import { notificationItems } from '../notifications';
import { loadPipeline, staleAfterDaysOf, type PipelineDefinition } from '../pipeline';
import { getSettings, ratesOn, readRates } from '../settings';
import { hasAnyRole, REVIEW_READERS, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { commitWriteSet } from '../shared/versioned-write';
import { aggregateKey, periodKindOf, teamScope } from './aggregate-keys';
import type { AttainmentChartRow } from './charts';
import { addCounters, type Counters } from './counters';
import { convertAmounts, funnel, kpiValues, named, openPipeline, ratio, stageDurations, type Rates, type ReportPipeline } from './kpis';
import { localDate, parsePeriod, periodsOf, previousPeriod, type Period, type ReportingCalendar } from './periods';
import { reportPipeline } from './reports';
import { renderReviewDocument, type ReviewDocumentInput, type ReviewForecast, type ReviewOverdueTask, type ReviewStuckDeal } from './review-document';
import { daysBetween, MAX_REVIEW_ROWS, reviewKpiRows, stuckReason, type TargetsByMetric } from './review-rules';
import type { ReviewSummaryView, ReviewView } from './schemas';
import { systemActor } from './subjects';
import { targetsOf } from './targets';

type ReviewItem = EntityItem<SalesDb['entities']['review']>;
type TeamView = NonNullable<Awaited<ReturnType<typeof readTeam>>>;

const MAX_ATTEMPTS = 5;

// ---- making reviews (the job) ---------------------------------------------------------------------

/**
 * Makes the reviews of a week that is due (review-rules.ts `reviewDue`) for every team without one, then records
 * the week as the tenant's `reviewWeek`, so later runs skip the tenant. Answers how many it made (0 when another
 * run made them).
 */
export async function makeDueReviews(deps: Deps, tenantId: string, week: string): Promise<number> {
  const made = await makeWeeklyReviews(deps, tenantId, week);
  await deps.db.entities.kpiTenant
    .patch({ tenantId })
    .set({ reviewWeek: week })
    .where((attr, op) => `${op.notExists(attr.reviewWeek)} OR ${op.lt(attr.reviewWeek, week)}`)
    .go()
    .catch((error: unknown) => {
      // Recorded meanwhile by an overlapping run (this week or a later one): theirs stands.
      if (!String((error as Error).message).includes('conditional')) throw error;
    });
  return made;
}

/** The reviews of `week` for every team of the tenant that has none yet (and existed then); how many were made. */
export async function makeWeeklyReviews(deps: Deps, tenantId: string, week: string): Promise<number> {
  const teams = await listAllTeams(deps, tenantId);
  if (teams.length === 0) return 0;
  let context: Promise<ReviewContext> | undefined;
  let made = 0;
  for (const team of teams) {
    if (await findReview(deps, tenantId, team.id, week)) continue;
    context ??= loadContext(deps, tenantId, week);
    const loaded = await context;
    // A team made after the week ended had no week to review.
    if (team.createdAt >= loaded.week.end) continue;
    if ((await makeTeamReview(deps, loaded, team)).created) made += 1;
  }
  return made;
}

/** The review of one team and week (made now unless it exists): for the job above and for fixtures. */
export async function makeReview(deps: Deps, tenantId: string, teamId: string, week: string): Promise<{ created: boolean; reviewId: string }> {
  const team = await readTeam(deps, tenantId, teamId, { consistent: true });
  if (!team) throw new NotFoundError(`No team ${teamId}`);
  const existing = await findReview(deps, tenantId, teamId, week);
  if (existing) return { created: false, reviewId: existing.reviewId };
  return makeTeamReview(deps, await loadContext(deps, tenantId, week), team);
}

async function makeTeamReview(deps: Deps, context: ReviewContext, team: TeamView): Promise<{ created: boolean; reviewId: string }> {
  const { tenantId } = context;
  const actor = systemActor(tenantId);
  for (let attempt = 1; ; attempt += 1) {
    const content = await reviewContent(deps, context, team);
    const at = content.document.generatedAt;
    const reviewId = deps.ids.next();
    const item: ReviewItem = {
      tenantId,
      teamId: team.id,
      week: context.week.id,
      reviewId,
      document: { ...content.document },
      stuckDealsTotal: content.stuckDealsTotal,
      overdueTasksTotal: content.overdueTasksTotal,
      createdAt: at,
      createdBy: actor.userId,
    };
    const data = { reviewId, teamId: team.id, week: context.week.id, manager: team.manager };
    const notifications = notificationItems(deps, tenantId, at, { users: [team.manager] }, {
      type: 'review.created',
      title: `Weekly review of ${team.name} for ${context.week.id} is ready`,
      subject: { type: 'review', id: reviewId },
      data: { ...data, href: `/reviews/${reviewId}/document` },
    });
    const log = logChange(deps, actor, at, {
      entityType: 'review',
      entityId: reviewId,
      parentId: team.id,
      action: 'create',
      changes: { team: { to: team.id }, week: { to: context.week.id } },
      events: [{ type: 'review.created', data }],
    });
    const outcome = await commitWriteSet(deps, (tx) => {
      // A create: conditional on no review of this team and week.
      tx.record('review', tx.entities.review.create(item).commit());
      tx.notify(notifications).log(log);
    });
    if (outcome === 'committed') return { created: true, reviewId };
    // Made meanwhile by an overlapping run — or its transaction held ours up: look, and try again if not.
    const existing = await findReview(deps, tenantId, team.id, context.week.id);
    if (existing) return { created: false, reviewId: existing.reviewId };
    if (attempt >= MAX_ATTEMPTS) throw new Error(`Review of team ${team.id} for ${context.week.id}: lost ${MAX_ATTEMPTS} races in a row`);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
}

async function findReview(deps: Deps, tenantId: string, teamId: string, week: string): Promise<ReviewItem | null> {
  const { data } = await deps.db.entities.review.get({ tenantId, teamId, week }).go({ consistent: true });
  return data;
}

/** What every team's review of a week shares: the tenant's calendar, pipeline, rates, and the periods' targets. */
interface ReviewContext {
  tenantId: string;
  calendar: ReportingCalendar;
  definition: PipelineDefinition;
  pipeline: ReportPipeline;
  rates: Rates;
  week: Period;
  previousWeek: string;
  quarter: Period;
  /** The quarter and the three before it: the last fiscal year of stays, for the p90s. */
  stayQuarters: string[];
  weekTargets: Awaited<ReturnType<typeof targetsOf>>;
  quarterTargets: Awaited<ReturnType<typeof targetsOf>>;
}

async function loadContext(deps: Deps, tenantId: string, weekId: string): Promise<ReviewContext> {
  const actor = systemActor(tenantId);
  const [settings, loadedPipeline, allRates] = await Promise.all([getSettings(deps, actor), loadPipeline(deps, tenantId), readRates(deps, tenantId)]);
  const calendar = { timezone: settings.reportingTimezone, fiscalYearStartMonth: settings.fiscalYearStartMonth };
  const week = parsePeriod(weekId, calendar);
  // The quarter that holds the week's last day (noon of it, local: inside the day whatever the zone).
  const quarterId = periodsOf(new Date(Date.parse(week.end) - 12 * 3_600_000), calendar).quarter;
  const quarter = parsePeriod(quarterId, calendar);
  const stayQuarters = [quarterId];
  while (stayQuarters.length < 4) stayQuarters.push(previousPeriod(stayQuarters.at(-1)!, calendar));
  const today = localDate(deps.clock.now(), calendar);
  const used = ratesOn(allRates, today);
  const [weekTargets, quarterTargets] = await Promise.all([targetsOf(deps, tenantId, week.id), targetsOf(deps, tenantId, quarter.id)]);
  return {
    tenantId,
    calendar,
    definition: loadedPipeline.definition,
    pipeline: reportPipeline(loadedPipeline.item),
    rates: { baseCurrency: settings.baseCurrency, rates: new Map(used.map((rate) => [rate.currency, rate])) },
    week,
    previousWeek: previousPeriod(week.id, calendar),
    quarter,
    stayQuarters,
    weekTargets,
    quarterTargets,
  };
}

interface ReviewContent {
  document: ReviewDocumentInput;
  stuckDealsTotal: number;
  overdueTasksTotal: number;
}

async function reviewContent(deps: Deps, context: ReviewContext, team: TeamView): Promise<ReviewContent> {
  const { tenantId, week, quarter, rates, pipeline } = context;
  const scope = teamScope(team.id);
  const now = deps.clock.now();
  const keys = {
    week: aggregateKey('flow', week.id, scope),
    previous: aggregateKey('flow', context.previousWeek, scope),
    quarter: aggregateKey('flow', quarter.id, scope),
    stays: context.stayQuarters.map((period) => aggregateKey('stays', period, scope)),
  };
  const [aggregates, quarterToDate, deals, overdue] = await Promise.all([
    readAggregates(deps, tenantId, [keys.week, keys.previous, keys.quarter, ...keys.stays]),
    sumOfDays(deps, tenantId, scope, quarter.firstDay, week.lastDay),
    openDealsOf(deps, tenantId, team.members),
    overdueTasks(deps, context, team.members, now),
  ]);
  const of = (key: string) => aggregates.get(key) ?? {};
  const stays: Counters = {};
  for (const key of keys.stays) addCounters(stays, of(key));
  const p90 = new Map(stageDurations(stays, pipeline).map((row) => [row.stage, row.p90Days]));
  const stuck = stuckDeals(context, deals, p90, now);

  const weekFlow = of(keys.week);
  const weekTargets = targetsByMetric(context.weekTargets, team.id);
  const quarterTargets = targetsByMetric(context.quarterTargets, team.id);
  const kpis = reviewKpiRows(kpiValues(weekFlow, rates), kpiValues(of(keys.previous), rates), weekTargets);
  const cohort = funnel(weekFlow, pipeline);

  const toDate = kpiValues(quarterToDate, rates);
  const base = rates.baseCurrency;
  const attainment: AttainmentChartRow[] = [
    { label: 'Revenue won', actual: toDate.revenueWon.amount, target: quarterTargets.revenue_won ?? null, unit: 'money', currency: base },
    { label: 'Deals won', actual: toDate.dealsWon, target: quarterTargets.deals_won ?? null, unit: 'count' },
    { label: 'Activities', actual: toDate.activitiesTotal, target: quarterTargets.activities ?? null, unit: 'count' },
    { label: 'New customers', actual: toDate.newCustomers, target: quarterTargets.new_customers ?? null, unit: 'count' },
  ];

  const open = openPipeline(of(keys.quarter), pipeline);
  const category = (name: 'commit' | 'best_case') => convertAmounts(open.byCategory.get(name)?.amount ?? {}, rates).amount;
  const target = quarterTargets.revenue_won ?? null;
  const forecast: ReviewForecast = {
    period: quarter.id,
    commit: category('commit'),
    bestCase: category('best_case'),
    closedWon: toDate.revenueWon.amount,
    target,
    attainment: target === null ? null : ratio(toDate.revenueWon.amount, target),
  };

  return {
    document: {
      team: { id: team.id, name: team.name, manager: team.manager },
      week: { id: week.id, start: week.firstDay, end: week.lastDay },
      generatedAt: now.toISOString(),
      currency: base,
      kpis,
      // No cohort, no funnel (the document then says so rather than drawing zeros).
      funnel: (weekFlow.created ?? 0) > 0 || Object.keys(named(weekFlow, 'entered')).length > 0 ? cohort : [],
      attainment,
      stuckDeals: stuck.slice(0, MAX_REVIEW_ROWS),
      overdueTasks: overdue.slice(0, MAX_REVIEW_ROWS),
      forecast,
    },
    stuckDealsTotal: stuck.length,
    overdueTasksTotal: overdue.length,
  };
}

function targetsByMetric(targets: ReviewContext['weekTargets'], teamId: string): TargetsByMetric {
  const result: TargetsByMetric = {};
  for (const target of targets) {
    if (target.scope !== 'team' || target.id !== teamId) continue;
    result[target.metric] = typeof target.value === 'number' ? target.value : target.value.amount;
  }
  return result;
}

async function readAggregates(deps: Deps, tenantId: string, keys: readonly string[]): Promise<Map<string, Counters>> {
  const wanted = keys.map((key) => {
    const [family = '', period = '', ...scope] = key.split('/');
    return { tenantId, family, period, kind: periodKindOf(period), scope: scope.join('/') };
  });
  const { data, unprocessed } = await deps.db.entities.kpiAggregate.get(wanted).go();
  // A review's figures are all or nothing: the job's run fails and is retried rather than keep a partial one.
  if (unprocessed.length > 0) throw new Error(`Reading ${unprocessed.length} KPI aggregates was throttled; the review is made on a later run`);
  return new Map(data.map((item) => [aggregateKey(item.family as 'flow' | 'stays', item.period, item.scope), item.counters]));
}

async function sumOfDays(deps: Deps, tenantId: string, scope: string, from: string, to: string): Promise<Counters> {
  const { data } = await deps.db.entities.kpiAggregate.query
    .byScope({ tenantId, scope })
    .between({ family: 'flow', kind: 'day', period: from }, { family: 'flow', kind: 'day', period: to })
    .go({ pages: 'all' });
  const total: Counters = {};
  for (const item of data) addCounters(total, item.counters);
  return total;
}

type OpportunityItem = EntityItem<SalesDb['entities']['opportunity']>;

/** The open deals of the members (one query of each one's deals by owner). */
async function openDealsOf(deps: Deps, tenantId: string, members: readonly string[]): Promise<OpportunityItem[]> {
  const pages = await Promise.all(
    members.map((owner) =>
      deps.db.entities.opportunity.query
        .byOwner({ tenantId, owner })
        .where((attr, op) => op.eq(attr.status, 'open'))
        .go({ pages: 'all' }),
    ),
  );
  return pages.flatMap((page) => page.data);
}

/** The stuck ones of the open deals, longest in their stage first. */
function stuckDeals(context: ReviewContext, deals: readonly OpportunityItem[], p90: ReadonlyMap<string, number | null>, now: Date): ReviewStuckDeal[] {
  const names = new Map(context.pipeline.stages.map((stage) => [stage.key, stage.name]));
  const stuck: ReviewStuckDeal[] = [];
  for (const deal of deals) {
    const stage = context.pipeline.effectiveStage(deal.stage);
    const reason = stuckReason(deal.stageEnteredAt, now, p90.get(stage) ?? null, staleAfterDaysOf(context.definition, stage));
    if (reason === null) continue;
    stuck.push({
      opportunityId: deal.opportunityId,
      name: deal.name,
      owner: deal.owner,
      stage: names.get(stage) ?? stage,
      daysInStage: daysBetween(deal.stageEnteredAt, now),
      reason,
      amount: deal.amount ? { amount: deal.amount.amount, currency: deal.amount.currency } : { amount: 0, currency: context.rates.baseCurrency },
    });
  }
  return stuck.sort((a, b) => b.daysInStage - a.daysInStage || a.name.localeCompare(b.name) || a.opportunityId.localeCompare(b.opportunityId));
}

/** The members' open tasks due before `now` (one query of each one's open tasks, by due time), oldest first. */
async function overdueTasks(deps: Deps, context: ReviewContext, members: readonly string[], now: Date): Promise<ReviewOverdueTask[]> {
  const pages = await Promise.all(
    members.map((assignee) =>
      deps.db.entities.task.query
        .byAssignee({ tenantId: context.tenantId, assignee, status: 'open' })
        .lt({ dueAt: now.toISOString() })
        .go({ pages: 'all' }),
    ),
  );
  return pages
    .flatMap((page) => page.data)
    .filter((task) => task.dueAt < now.toISOString())
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.taskId.localeCompare(b.taskId))
    .map((task) => ({ taskId: task.taskId, title: task.title, assignee: task.assignee, dueDate: localDate(task.dueAt, context.calendar) }));
}

// ---- reading reviews (the API) --------------------------------------------------------------------

function assertMayRead(actor: Actor): void {
  if (!hasAnyRole(actor, REVIEW_READERS)) throw new ForbiddenError("Weekly reviews are a team's figures: for admins, managers and finance");
}

/** A team's reviews, newest week first (one query a page). A team of no review (or of none at all) lists none. */
export async function listReviews(deps: Deps, actor: Actor, input: PageRequest & { team: string }): Promise<Page<ReviewSummaryView>> {
  assertMayRead(actor);
  const page = await readPage(
    deps,
    `${actor.tenantId}|reviews|${input.team}`,
    input,
    deps.db.entities.review.query.byTeam({ tenantId: actor.tenantId, teamId: input.team }),
    { order: 'desc' },
  );
  return { ...page, items: page.items.map(toSummary) };
}

export async function getReview(deps: Deps, actor: Actor, reviewId: string): Promise<ReviewView> {
  return toView(await readReview(deps, actor, reviewId));
}

/** The review as its HTML page (review-document.ts): the same review always gives the same page. */
export async function getReviewDocument(deps: Deps, actor: Actor, reviewId: string): Promise<string> {
  return renderReviewDocument(documentOf(await readReview(deps, actor, reviewId)));
}

async function readReview(deps: Deps, actor: Actor, reviewId: string): Promise<ReviewItem> {
  assertMayRead(actor);
  const { data } = await deps.db.entities.review.query.byId({ tenantId: actor.tenantId, reviewId }).go({ limit: 1 });
  const item = data[0];
  if (!item) throw new NotFoundError(`No review ${reviewId}`);
  return item;
}

const links = (reviewId: string) => ({ self: `/reviews/${reviewId}`, document: `/reviews/${reviewId}/document` });

/** The document a review was made from (the entity keeps it as a plain map: model.ts imports the kernel only). */
const documentOf = (item: ReviewItem) => item.document as unknown as ReviewDocumentInput;

function toSummary(item: ReviewItem): ReviewSummaryView {
  const { team, week, generatedAt } = documentOf(item);
  return {
    id: item.reviewId,
    team,
    week,
    generatedAt,
    stuckDeals: item.stuckDealsTotal,
    overdueTasks: item.overdueTasksTotal,
    createdAt: item.createdAt,
    links: links(item.reviewId),
  };
}

function toView(item: ReviewItem): ReviewView {
  return {
    id: item.reviewId,
    ...documentOf(item),
    stuckDealsTotal: item.stuckDealsTotal,
    overdueTasksTotal: item.overdueTasksTotal,
    createdAt: item.createdAt,
    links: links(item.reviewId),
  };
}
