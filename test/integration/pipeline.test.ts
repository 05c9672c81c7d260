/**
 * The funnel's use cases against DynamoDB Local: opportunities through gated stages, the customer lifecycle
 * that follows, stage history, pipeline changes that orphan nothing, and the outbox of domain events.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createContact, createCustomer, getCustomer, getOpportunityActivities, getTimeline, logActivity } from '../../domain/customers';
import { ConflictError, ForbiddenError, PreconditionFailedError, UnprocessableError } from '../../domain/errors';
import { listEvents } from '../../domain/events';
import {
  createOpportunity,
  getOpportunity,
  getPipeline,
  getStageHistory,
  listOpportunities,
  moveStage,
  putPipeline,
  updateOpportunity,
} from '../../domain/pipeline';
import { DEFAULT_PIPELINE } from '../../domain/pipeline/rules';
import { getSettings, putSettings } from '../../domain/settings';
import type { Deps } from '../../domain/shared/ports';
import { createTestDeps, people, rejection, withClock } from '../support/dynamo';

let deps: Deps;
let now = Date.parse('2026-03-02T09:00:00.000Z');
beforeAll(async () => {
  deps = withClock(await createTestDeps(), () => now);
});

async function dealFor(who: ReturnType<typeof people>, overrides: Partial<Parameters<typeof createOpportunity>[2]> = {}) {
  const customer = await createCustomer(deps, who.bob, { name: `Customer ${Math.random()}` });
  const opportunity = await createOpportunity(deps, who.bob, {
    customerId: customer.id,
    name: 'Platform deal',
    expectedCloseDate: '2026-06-30',
    amount: { amount: 4_800_000, currency: 'EUR' },
    ...overrides,
  });
  return { customer, opportunity };
}

describe('opportunities', () => {
  it('start in the first stage with its probability, owned by their creator; a lead customer becomes a prospect', async () => {
    const who = people();
    const { customer, opportunity } = await dealFor(who);
    expect(opportunity).toMatchObject({ stage: 'lead', status: 'open', probability: 10, owner: 'bob', version: 1 });
    expect((await getCustomer(deps, who.bob, customer.id)).lifecycle).toBe('prospect');
    const history = await getStageHistory(deps, who.alice, opportunity.id);
    expect(history.changes).toEqual([expect.objectContaining({ to: 'lead', actor: 'bob' })]);
  });

  it("reps open opportunities only on their own customers and never set the probability; managers may", async () => {
    const who = people();
    const customer = await createCustomer(deps, who.carol, { name: 'Carol Co' });
    expect(
      await rejection(createOpportunity(deps, who.bob, { customerId: customer.id, name: 'x', expectedCloseDate: '2026-06-30' })),
    ).toBeInstanceOf(ForbiddenError);
    const own = await createCustomer(deps, who.bob, { name: 'Bob Co' });
    expect(
      await rejection(createOpportunity(deps, who.bob, { customerId: own.id, name: 'x', expectedCloseDate: '2026-06-30', probability: 90 })),
    ).toBeInstanceOf(ForbiddenError);
    const managed = await createOpportunity(deps, who.alice, {
      customerId: own.id,
      name: 'Managed',
      expectedCloseDate: '2026-06-30',
      probability: 35,
      owner: 'bob',
    });
    expect(managed).toMatchObject({ probability: 35, owner: 'bob' });
  });

  it('cannot skip a gate: a forward move lists everything missing, then passes once it is there', async () => {
    const who = people();
    const { customer, opportunity } = await dealFor(who);
    const blocked = await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'quote' }));
    expect(blocked).toBeInstanceOf(UnprocessableError);
    expect((blocked as UnprocessableError).errors.map((issue) => issue.path)).toEqual([
      'customer.contacts',
      'activities',
      'interestPoints',
      'decisionFactors.budget',
      'decisionFactors.need',
    ]);
    expect((await getOpportunity(deps, who.bob, opportunity.id)).stage).toBe('lead');

    await createContact(deps, who.bob, customer.id, { name: 'Pat', email: `pat-${Math.random()}@x.io` });
    await logActivity(deps, who.bob, customer.id, { type: 'call', subject: 'Discovery', opportunityId: opportunity.id });
    const stillBlocked = await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'quote' }));
    expect((stillBlocked as UnprocessableError).errors.map((issue) => issue.path)).toEqual(['interestPoints', 'decisionFactors.budget', 'decisionFactors.need']);

    await updateOpportunity(deps, who.bob, opportunity.id, { interestPoints: ['SSO'], decisionFactors: { budget: '50k approved', need: 'Audit findings' } });
    const moved = await moveStage(deps, who.bob, opportunity.id, { stage: 'quote' });
    expect(moved).toMatchObject({ stage: 'quote', probability: 60, version: 3 });
  });

  it('moves back only with a note, loses with a listed reason, wins only from the last stage; won makes a customer', async () => {
    const who = people();
    const pipeline = await putPipeline(
      deps,
      who.dana,
      { stages: DEFAULT_PIPELINE.stages.map((stage) => ({ ...stage, exitCriteria: [] })) },
      {},
    );
    expect(pipeline.version).toBe(1);
    const { customer, opportunity } = await dealFor(who);
    await moveStage(deps, who.bob, opportunity.id, { stage: 'quote' });
    expect(await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'won' }))).toBeInstanceOf(ConflictError);
    expect(await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'lead' }))).toBeInstanceOf(UnprocessableError);
    await moveStage(deps, who.bob, opportunity.id, { stage: 'contacted', note: 'Champion left; restart' });
    await moveStage(deps, who.bob, opportunity.id, { stage: 'negotiation' });
    const won = await moveStage(deps, who.bob, opportunity.id, { stage: 'won' });
    expect(won).toMatchObject({ stage: 'won', status: 'won', probability: 100, closedAt: expect.any(String) });
    expect((await getCustomer(deps, who.bob, customer.id)).lifecycle).toBe('customer');

    // Won is final: no edits, no moves, except a manager reopening with a note.
    expect(await rejection(updateOpportunity(deps, who.bob, opportunity.id, { name: 'Bigger' }))).toBeInstanceOf(ConflictError);
    expect(await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'lost', lostReason: 'price' }))).toBeInstanceOf(ConflictError);
    expect(await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'negotiation', note: 'oops' }))).toBeInstanceOf(ForbiddenError);
    const reopened = await moveStage(deps, who.alice, opportunity.id, { stage: 'negotiation', note: 'Signed the wrong entity' });
    expect(reopened).toMatchObject({ stage: 'negotiation', status: 'open', probability: 80 });
    expect(reopened.closedAt).toBeUndefined();

    const lost = await moveStage(deps, who.bob, opportunity.id, { stage: 'lost', lostReason: 'competitor' });
    expect(lost).toMatchObject({ status: 'lost', lostReason: 'competitor', probability: 0 });
  });

  it("loses only with one of the tenant's own lost reasons", async () => {
    const who = people();
    await putSettings(deps, who.dana, { baseCurrency: 'USD', lostReasons: ['too_slow', 'price'] }, {});
    const { opportunity } = await dealFor(who);
    expect(await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'lost', lostReason: 'competitor' }))).toBeInstanceOf(UnprocessableError);
    await expect(moveStage(deps, who.bob, opportunity.id, { stage: 'lost', lostReason: 'too_slow' })).resolves.toMatchObject({ lostReason: 'too_slow' });
  });

  it('two moves from the same version never both succeed', async () => {
    const who = people();
    await putPipeline(deps, who.dana, { stages: DEFAULT_PIPELINE.stages.map((stage) => ({ ...stage, exitCriteria: [] })) }, {});
    const { opportunity } = await dealFor(who);
    const attempts = await Promise.allSettled([
      moveStage(deps, who.bob, opportunity.id, { stage: 'contacted' }, { ifMatch: 1 }),
      moveStage(deps, who.bob, opportunity.id, { stage: 'quote' }, { ifMatch: 1 }),
      moveStage(deps, who.alice, opportunity.id, { stage: 'lost', lostReason: 'price' }, { ifMatch: 1 }),
    ]);
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
    for (const attempt of attempts) if (attempt.status === 'rejected') expect(attempt.reason).toBeInstanceOf(PreconditionFailedError);
    const history = await getStageHistory(deps, who.alice, opportunity.id);
    expect(history.changes).toHaveLength(2);
  });

  it('records time spent per stage', async () => {
    const who = people();
    await putPipeline(deps, who.dana, { stages: DEFAULT_PIPELINE.stages.map((stage) => ({ ...stage, exitCriteria: [] })) }, {});
    const start = now;
    const { opportunity } = await dealFor(who);
    now = start + 2 * 86_400_000;
    await moveStage(deps, who.bob, opportunity.id, { stage: 'contacted' });
    now = start + 5 * 86_400_000;
    await moveStage(deps, who.bob, opportunity.id, { stage: 'needs_analysis' });
    now = start + 6 * 86_400_000;
    const history = await getStageHistory(deps, who.bob, opportunity.id);
    expect(history.totals).toEqual([
      { stage: 'lead', visits: 1, durationMs: 2 * 86_400_000 },
      { stage: 'contacted', visits: 1, durationMs: 3 * 86_400_000 },
      { stage: 'needs_analysis', visits: 1, durationMs: 86_400_000 },
    ]);
  });

  it('managers reassign and override the probability; reps cannot', async () => {
    const who = people();
    const { opportunity } = await dealFor(who);
    expect(await rejection(updateOpportunity(deps, who.bob, opportunity.id, { owner: 'carol' }))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(updateOpportunity(deps, who.bob, opportunity.id, { probability: 50 }))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(updateOpportunity(deps, who.carol, opportunity.id, { name: 'Mine' }))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(updateOpportunity(deps, who.fiona, opportunity.id, { name: 'Finance' }))).toBeInstanceOf(ForbiddenError);
    const changed = await updateOpportunity(deps, who.alice, opportunity.id, { owner: 'carol', probability: 50 });
    expect(changed).toMatchObject({ owner: 'carol', probability: 50 });
    expect(await updateOpportunity(deps, who.alice, opportunity.id, { probability: null })).toMatchObject({ probability: 10 });
  });

  it('lists by stage, owner, customer, status and close-date range', async () => {
    const who = people();
    const customer = await createCustomer(deps, who.bob, { name: 'Lister' });
    const make = (name: string, expectedCloseDate: string, owner = 'bob') =>
      createOpportunity(deps, who.alice, { customerId: customer.id, name, expectedCloseDate, owner });
    await make('March', '2026-03-31');
    await make('April', '2026-04-15', 'carol');
    const may = await make('May', '2026-05-01');
    await moveStage(deps, who.alice, may.id, { stage: 'lost', lostReason: 'price' });
    const names = async (filters: Parameters<typeof listOpportunities>[2]) => (await listOpportunities(deps, who.alice, filters)).items.map((o) => o.name);

    expect(await names({})).toEqual(['March', 'April', 'May']);
    expect(await names({ closeFrom: '2026-03-31', closeTo: '2026-04-15' })).toEqual(['March', 'April']);
    expect(await names({ owner: 'bob' })).toEqual(['March', 'May']);
    expect(await names({ status: 'open' })).toEqual(['March', 'April']);
    expect(await names({ status: 'lost' })).toEqual(['May']);
    expect(await names({ stage: 'lead', owner: 'bob' })).toEqual(['March']);
    expect(await names({ customer: customer.id, closeTo: '2026-03-31' })).toEqual(['March']);
  });
});

describe('follow-up history', () => {
  it("activities linked to an opportunity show on its timeline and on the customer's; a foreign opportunity is refused", async () => {
    const who = people();
    const { customer, opportunity } = await dealFor(who);
    const other = await dealFor(who);
    await logActivity(deps, who.bob, customer.id, { type: 'meeting', subject: 'Demo', opportunityId: opportunity.id });
    await logActivity(deps, who.bob, customer.id, { type: 'note', subject: 'General note' });
    expect((await getOpportunityActivities(deps, who.bob, opportunity.id, {})).items.map((a) => a.subject)).toEqual(['Demo']);
    expect((await getTimeline(deps, who.bob, customer.id, {})).items.map((a) => a.subject).sort()).toEqual(['Demo', 'General note']);
    const refused = await rejection(logActivity(deps, who.bob, customer.id, { type: 'call', subject: 'x', opportunityId: other.opportunity.id }));
    expect((refused as UnprocessableError).errors[0]?.path).toBe('body.opportunityId');
  });
});

describe('pipeline configuration', () => {
  it('starts with the default pipeline and lets admins change it; a stage in use needs a mapping and orphans nothing', async () => {
    const who = people();
    expect((await getPipeline(deps, who.bob)).stages.map((stage) => stage.key)).toEqual(['lead', 'contacted', 'needs_analysis', 'quote', 'negotiation']);
    const open = DEFAULT_PIPELINE.stages.map((stage) => ({ ...stage, exitCriteria: [] }));
    await putPipeline(deps, who.dana, { stages: open }, {});
    const { opportunity } = await dealFor(who);
    await moveStage(deps, who.bob, opportunity.id, { stage: 'quote' });

    const withoutQuote = open.filter((stage) => stage.key !== 'quote');
    const refused = await rejection(putPipeline(deps, who.dana, { stages: withoutQuote }, {}));
    expect((refused as UnprocessableError).errors.map((issue) => issue.path)).toEqual(['body.stageMapping.quote']);

    const changed = await putPipeline(deps, who.dana, { stages: withoutQuote, stageMapping: { quote: 'negotiation' } }, { ifMatch: 1 });
    expect(changed).toMatchObject({ version: 2, remapped: { quote: 1 } });
    expect(await getOpportunity(deps, who.bob, opportunity.id)).toMatchObject({ stage: 'negotiation', probability: 80 });
    const history = await getStageHistory(deps, who.bob, opportunity.id);
    expect(history.changes.at(-1)).toMatchObject({ from: 'quote', to: 'negotiation', note: 'Pipeline changed: stage quote was removed' });
    expect(await rejection(putPipeline(deps, who.dana, { stages: open }, { ifMatch: 1 }))).toBeInstanceOf(PreconditionFailedError);
  });

  it('settings start from defaults and are versioned', async () => {
    const who = people();
    expect(await getSettings(deps, who.bob)).toMatchObject({ baseCurrency: 'EUR', version: 0, lostReasons: expect.arrayContaining(['price', 'no_budget']) });
    const saved = await putSettings(deps, who.dana, { baseCurrency: 'GBP', lostReasons: ['price'] }, { ifMatch: 0 });
    expect(saved).toMatchObject({ baseCurrency: 'GBP', version: 1 });
    expect(await rejection(putSettings(deps, who.dana, { baseCurrency: 'USD', lostReasons: ['price'] }, { ifMatch: 0 }))).toBeInstanceOf(PreconditionFailedError);
  });
});

describe('domain events (the outbox)', () => {
  it('every change of an opportunity and its customer is an event, in order, readable with since', async () => {
    const who = people();
    await putPipeline(deps, who.dana, { stages: DEFAULT_PIPELINE.stages.map((stage) => ({ ...stage, exitCriteria: [] })) }, {});
    const { opportunity } = await dealFor(who);
    await updateOpportunity(deps, who.alice, opportunity.id, { amount: { amount: 9_900_000, currency: 'EUR' }, owner: 'carol' });
    await moveStage(deps, who.alice, opportunity.id, { stage: 'negotiation' });
    await moveStage(deps, who.alice, opportunity.id, { stage: 'won' });
    now += 5_000; // past the feed's settle window

    const feed = await listEvents(deps, who.alice, {});
    const types = feed.items.map((event) => event.type);
    expect(types).toEqual([
      'pipeline.updated',
      'customer.created',
      'opportunity.created',
      'customer.updated',
      'customer.lifecycle_changed',
      'opportunity.updated',
      'opportunity.reassigned',
      'opportunity.amount_changed',
      'opportunity.stage_changed',
      'opportunity.stage_changed',
      'opportunity.won',
      'customer.updated',
      'customer.lifecycle_changed',
    ]);
    const ids = feed.items.map((event) => event.id);
    expect([...ids].sort()).toEqual(ids);

    const resumed = await listEvents(deps, who.alice, { since: ids[8] });
    expect(resumed.items.map((event) => event.id)).toEqual(ids.slice(9));
    const caughtUp = await listEvents(deps, who.alice, { since: feed.nextCursor ?? undefined });
    expect(caughtUp).toEqual({ items: [], nextCursor: feed.nextCursor });
    // Another tenant sees none of it.
    expect((await listEvents(deps, people().alice, {})).items).toEqual([]);
  });
});
