/**
 * What the KPI rollup reads from a deal, on DynamoDB Local: forecast categories (per stage, per deal), the
 * close-date history written with every change of the date, the opportunity's partition read in one query, and
 * the exchange rate a won or lost deal keeps.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { listAudit } from '../../domain/audit';
import { createCustomer } from '../../domain/customers';
import { ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError } from '../../domain/errors';
import {
  createOpportunity,
  forecastCategoryOf,
  getCloseDateHistory,
  getOpportunity,
  getPipeline,
  getStageHistory,
  listOpportunities,
  loadPipeline,
  moveStage,
  opportunityAmountInChange,
  putPipeline,
  readOpportunity,
  readOpportunityHistory,
  updateOpportunity,
} from '../../domain/pipeline';
import { DEFAULT_PIPELINE } from '../../domain/pipeline/rules';
import { putExchangeRates, putSettings } from '../../domain/settings';
import type { Deps } from '../../domain/shared/ports';
import { createDeps, createDynamoClient } from '../../functions/shared/runtime';
import { createTestTable, people, rejection, withClock } from '../support/dynamo';
import { faultyStore, type FaultyStore } from '../support/store-faults';

let deps: Deps;
let store: FaultyStore;
let commands: string[] = [];
let now = Date.parse('2027-03-01T09:00:00.000Z');

beforeAll(async () => {
  const { tableName } = await createTestTable();
  // Every command these deps send, by name: what "one query" means is counted, not assumed.
  const client: DynamoDBClient = createDynamoClient({ endpoint: inject('dynamoEndpoint') });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  deps = withClock(createDeps({ tableName, client, cursorKey: async () => new Uint8Array(32) }), () => now);
  store = await faultyStore(tableName);
});

/** A tenant whose stages have no exit criteria, so a deal can be won in a test. */
async function openTenant() {
  const who = people();
  await putPipeline(deps, who.dana, { stages: DEFAULT_PIPELINE.stages.map((stage) => ({ ...stage, exitCriteria: [] })) }, {});
  return who;
}

async function dealFor(who: ReturnType<typeof people>, amount = { amount: 1_000_000, currency: 'EUR' }) {
  const customer = await createCustomer(deps, who.bob, { name: `Customer ${Math.random()}` });
  return createOpportunity(deps, who.bob, { customerId: customer.id, name: 'Deal', expectedCloseDate: '2027-03-31', amount });
}

describe('forecast categories of the pipeline', () => {
  it('the default pipeline shows each stage with its default category, won closed and lost omitted', async () => {
    const who = people();
    const pipeline = await getPipeline(deps, who.bob);
    expect(pipeline.stages.map((stage) => [stage.key, stage.forecastCategory])).toEqual([
      ['lead', 'pipeline'],
      ['contacted', 'pipeline'],
      ['needs_analysis', 'pipeline'],
      ['quote', 'best_case'],
      ['negotiation', 'commit'],
    ]);
    expect(pipeline.terminalStages).toEqual([
      { key: 'won', probability: 100, forecastCategory: 'closed' },
      { key: 'lost', probability: 0, forecastCategory: 'omitted' },
    ]);
  });

  it('admins set a category per stage; a stage saved without one takes the default of its key', async () => {
    const who = people();
    const saved = await putPipeline(
      deps,
      who.dana,
      {
        stages: [
          { key: 'lead', name: 'Lead', probability: 10, exitCriteria: [], forecastCategory: 'omitted' },
          { key: 'proposal', name: 'Proposal', probability: 50, exitCriteria: [], forecastCategory: 'best_case' },
          { key: 'quote', name: 'Quote', probability: 60, exitCriteria: [] },
          { key: 'negotiation', name: 'Negotiation', probability: 80, exitCriteria: [], forecastCategory: 'pipeline' },
        ],
      },
      {},
    );
    const categories = [['lead', 'omitted'], ['proposal', 'best_case'], ['quote', 'best_case'], ['negotiation', 'pipeline']];
    expect(saved.stages.map((stage) => [stage.key, stage.forecastCategory])).toEqual(categories);
    expect((await getPipeline(deps, who.bob)).stages.map((stage) => [stage.key, stage.forecastCategory])).toEqual(categories);
    const deal = await dealFor(who);
    expect(deal.forecastCategory).toBe('omitted');
    await moveStage(deps, who.bob, deal.id, { stage: 'proposal' });
    expect((await getOpportunity(deps, who.bob, deal.id)).forecastCategory).toBe('best_case');
  });

  it('a pipeline stored before categories existed reads with the defaults of its keys: nothing to migrate', async () => {
    const who = people();
    await deps.db.entities.pipeline
      .create({
        tenantId: who.tenant,
        stages: [
          { key: 'lead', name: 'Lead', probability: 10, exitCriteria: [] },
          { key: 'quote', name: 'Quote', probability: 60, exitCriteria: [] },
          { key: 'negotiation', name: 'Negotiation', probability: 80, exitCriteria: [] },
        ],
        retiredStages: {},
        updatedAt: '2026-01-01T00:00:00.000Z',
        updatedBy: 'dana',
        version: 1,
      })
      .go();
    expect((await getPipeline(deps, who.bob)).stages.map((stage) => stage.forecastCategory)).toEqual(['pipeline', 'best_case', 'commit']);
    const deal = await dealFor(who);
    await moveStage(deps, who.bob, deal.id, { stage: 'negotiation' });
    const { definition } = await loadPipeline(deps, who.tenant);
    expect(forecastCategoryOf(await readOpportunity(deps, who.bob, deal.id), definition)).toBe('commit');
  });
});

describe('the per-deal override', () => {
  it("the owner and managers set it, another rep may not; null returns to the stage's; it is audited", async () => {
    const who = await openTenant();
    const deal = await dealFor(who);
    expect(deal).toMatchObject({ forecastCategory: 'pipeline' });
    expect(deal.forecastCategoryOverride).toBeUndefined();

    const byOwner = await updateOpportunity(deps, who.bob, deal.id, { forecastCategory: 'commit' });
    expect(byOwner).toMatchObject({ forecastCategory: 'commit', forecastCategoryOverride: 'commit', version: 2 });
    expect(await rejection(updateOpportunity(deps, who.carol, deal.id, { forecastCategory: 'omitted' }))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(updateOpportunity(deps, who.fiona, deal.id, { forecastCategory: 'omitted' }))).toBeInstanceOf(ForbiddenError);
    const byManager = await updateOpportunity(deps, who.alice, deal.id, { forecastCategory: 'best_case' });
    expect(byManager).toMatchObject({ forecastCategory: 'best_case', forecastCategoryOverride: 'best_case' });
    // The override holds through stage moves while the deal is open.
    await moveStage(deps, who.bob, deal.id, { stage: 'negotiation' });
    expect((await getOpportunity(deps, who.bob, deal.id)).forecastCategory).toBe('best_case');
    const cleared = await updateOpportunity(deps, who.bob, deal.id, { forecastCategory: null });
    expect(cleared.forecastCategory).toBe('commit');
    expect(cleared.forecastCategoryOverride).toBeUndefined();
    expect((await listOpportunities(deps, who.alice, { owner: 'bob' })).items.find((item) => item.id === deal.id)?.forecastCategory).toBe('commit');

    const audit = await listAudit(deps, who.dana, { entityId: deal.id });
    expect(audit.items.map((entry) => entry.changes.forecastCategoryOverride).filter(Boolean)).toEqual([
      { to: 'commit' },
      { from: 'commit', to: 'best_case' },
      { from: 'best_case' },
    ]);
  });

  it('a closed deal is closed (won) or omitted (lost): an override is refused with 409, and closing drops one', async () => {
    const who = await openTenant();
    const deal = await dealFor(who);
    await updateOpportunity(deps, who.bob, deal.id, { forecastCategory: 'omitted' });
    await moveStage(deps, who.bob, deal.id, { stage: 'negotiation' });
    const won = await moveStage(deps, who.bob, deal.id, { stage: 'won' });
    expect(won.forecastCategory).toBe('closed');
    expect(won.forecastCategoryOverride).toBeUndefined();
    expect(await rejection(updateOpportunity(deps, who.alice, deal.id, { forecastCategory: 'commit' }))).toBeInstanceOf(ConflictError);
    const reopened = await moveStage(deps, who.alice, deal.id, { stage: 'quote', note: 'Customer withdrew the signature' });
    expect(reopened).toMatchObject({ forecastCategory: 'best_case' });
    const lost = await moveStage(deps, who.bob, deal.id, { stage: 'lost', lostReason: 'price' });
    expect(lost.forecastCategory).toBe('omitted');
  });
});

describe('close-date history', () => {
  it('is written at creation and on every change of the date, not on other changes; the history reads it back', async () => {
    const who = await openTenant();
    const deal = await dealFor(who);
    await updateOpportunity(deps, who.bob, deal.id, { nextStep: 'Call back' });
    now += 60_000;
    await updateOpportunity(deps, who.bob, deal.id, { expectedCloseDate: '2027-05-15' });
    now += 60_000;
    await updateOpportunity(deps, who.alice, deal.id, { expectedCloseDate: '2027-04-30', name: 'Deal (smaller)' });
    const history = await getCloseDateHistory(deps, who.sam, deal.id);
    expect(history.changes.map(({ from, to, actor }) => ({ from, to, actor }))).toEqual([
      { from: undefined, to: '2027-03-31', actor: 'bob' },
      { from: '2027-03-31', to: '2027-05-15', actor: 'bob' },
      { from: '2027-05-15', to: '2027-04-30', actor: 'alice' },
    ]);
    expect(history.changes[0]?.from).toBeUndefined();
    expect(new Set(history.changes.map((change) => change.id)).size).toBe(3);
  });

  it('a change whose transaction fails leaves no close-date change, and the date unchanged', async () => {
    const who = await openTenant();
    const customer = await createCustomer(store.deps, who.bob, { name: 'Faulty Co' });
    const deal = await createOpportunity(store.deps, who.bob, { customerId: customer.id, name: 'Deal', expectedCloseDate: '2027-03-31' });
    // The store cancels the transaction on the close-date change item: nothing of the change may remain.
    store.cancelNextTransactions(1, 'closeDateChange', 'ValidationError');
    expect(await rejection(updateOpportunity(store.deps, who.bob, deal.id, { expectedCloseDate: '2027-06-30' }))).toBeInstanceOf(ServiceUnavailableError);
    expect((await getCloseDateHistory(deps, who.bob, deal.id)).changes.map((change) => change.to)).toEqual(['2027-03-31']);
    expect(await getOpportunity(deps, who.bob, deal.id)).toMatchObject({ expectedCloseDate: '2027-03-31', version: 1 });
    // And a create that fails leaves no close-date change either (nor an opportunity).
    store.cancelNextTransactions(1, 'closeDateChange', 'ValidationError');
    const before = (await listOpportunities(deps, who.alice, { customer: customer.id })).items.length;
    expect(
      await rejection(createOpportunity(store.deps, who.bob, { customerId: customer.id, name: 'Second', expectedCloseDate: '2027-04-30' })),
    ).toBeInstanceOf(ServiceUnavailableError);
    expect((await listOpportunities(deps, who.alice, { customer: customer.id })).items.length).toBe(before);
  });

  it('readOpportunityHistory returns the opportunity, its stage changes and its close-date changes in ONE query', async () => {
    const who = await openTenant();
    const deal = await dealFor(who);
    await moveStage(deps, who.bob, deal.id, { stage: 'quote' });
    await updateOpportunity(deps, who.bob, deal.id, { expectedCloseDate: '2027-06-30' });
    commands = [];
    const history = await readOpportunityHistory(deps, who.tenant, deal.id);
    expect(commands).toEqual(['QueryCommand']);
    expect(history.opportunity).toMatchObject({ opportunityId: deal.id, stage: 'quote', expectedCloseDate: '2027-06-30' });
    expect(history.stageChanges.map((change) => [change.from, change.to])).toEqual([[undefined, 'lead'], ['lead', 'quote']]);
    expect(history.closeDateChanges.map((change) => [change.from, change.to])).toEqual([[undefined, '2027-03-31'], ['2027-03-31', '2027-06-30']]);
    // Stage history comes from the same one query now.
    commands = [];
    expect((await getStageHistory(deps, who.bob, deal.id)).changes).toHaveLength(2);
    expect(commands).toEqual(['QueryCommand']);
    // Another tenant's deal is not found (the tenant is the partition key's first part).
    expect(await rejection(readOpportunityHistory(deps, people().tenant, deal.id))).toBeInstanceOf(NotFoundError);
    expect(await rejection(getCloseDateHistory(deps, people().bob, deal.id))).toBeInstanceOf(NotFoundError);
  });
});

describe('the close rate of a won or lost deal', () => {
  async function usdTenant(timezone = 'UTC') {
    const who = await openTenant();
    await putSettings(deps, who.dana, { baseCurrency: 'EUR', lostReasons: ['price'], reportingTimezone: timezone }, {});
    await putExchangeRates(deps, who.fiona, {
      rates: [
        { currency: 'USD', rate: '0.9000', effectiveFrom: '2027-01-01' },
        { currency: 'USD', rate: '0.9130', effectiveFrom: '2027-03-01' },
      ],
    });
    return who;
  }

  it('is the rate in effect on the close date, frozen: a later rate, even one back-dated, leaves it; reopening clears it', async () => {
    const who = await usdTenant();
    now = Date.parse('2027-03-10T12:00:00.000Z');
    const deal = await dealFor(who, { amount: 500_000, currency: 'USD' });
    await moveStage(deps, who.bob, deal.id, { stage: 'negotiation' });
    const won = await moveStage(deps, who.bob, deal.id, { stage: 'won' });
    const frozen = { currency: 'USD', rate: '0.9130', effectiveFrom: '2027-03-01' };
    expect(won.closeRate).toEqual(frozen);
    await putExchangeRates(deps, who.fiona, { rates: [{ currency: 'USD', rate: '0.9500', effectiveFrom: '2027-03-05' }, { currency: 'USD', rate: '0.9999', effectiveFrom: '2027-03-01' }] });
    expect((await getOpportunity(deps, who.bob, deal.id)).closeRate).toEqual(frozen);
    const audit = await listAudit(deps, who.dana, { entityId: deal.id });
    expect(audit.items.find((entry) => entry.changes.status?.to === 'won')?.changes.closeRate).toEqual({ to: frozen });

    const reopened = await moveStage(deps, who.alice, deal.id, { stage: 'negotiation', note: 'Wrong entity signed' });
    expect(reopened.closeRate).toBeUndefined();
    expect((await readOpportunity(deps, who.bob, deal.id)).closeRate).toBeUndefined();
    // Closed again: the rate in effect now (the back-dated 0.9999 replaced 2027-03-01; 0.9500 holds from 03-05).
    const lost = await moveStage(deps, who.bob, deal.id, { stage: 'lost', lostReason: 'price' });
    expect(lost.closeRate).toEqual({ currency: 'USD', rate: '0.9500', effectiveFrom: '2027-03-05' });
  });

  it('takes the close date in the reporting time zone', async () => {
    const who = await usdTenant('Pacific/Auckland');
    // 20:00 UTC on 28 Feb is 1 March (09:00) in Auckland: the March rate applies.
    now = Date.parse('2027-02-28T20:00:00.000Z');
    const deal = await dealFor(who, { amount: 500_000, currency: 'USD' });
    const lost = await moveStage(deps, who.bob, deal.id, { stage: 'lost', lostReason: 'price' });
    expect(lost.closeRate).toEqual({ currency: 'USD', rate: '0.9130', effectiveFrom: '2027-03-01' });
  });

  it('is absent for a deal in the base currency and for a currency with no rate on that date', async () => {
    const who = await usdTenant();
    now = Date.parse('2027-03-10T12:00:00.000Z');
    const inEuro = await dealFor(who);
    await moveStage(deps, who.bob, inEuro.id, { stage: 'negotiation' });
    expect((await moveStage(deps, who.bob, inEuro.id, { stage: 'won' })).closeRate).toBeUndefined();
    const inFrancs = await dealFor(who, { amount: 100_000, currency: 'CHF' });
    expect((await moveStage(deps, who.bob, inFrancs.id, { stage: 'lost', lostReason: 'price' })).closeRate).toBeUndefined();
  });

  it("a closed deal's amount may follow its quote in the same currency (the rate holds), never into another currency", async () => {
    const who = await usdTenant();
    now = Date.parse('2027-03-10T12:00:00.000Z');
    const deal = await dealFor(who, { amount: 500_000, currency: 'USD' });
    await moveStage(deps, who.bob, deal.id, { stage: 'lost', lostReason: 'price' });
    const closed = await readOpportunity(deps, who.bob, deal.id);
    expect(opportunityAmountInChange(deps, who.bob, closed, { amount: 450_000, currency: 'USD' }, new Date(now).toISOString())).toBeTypeOf('function');
    expect(() => opportunityAmountInChange(deps, who.bob, closed, { amount: 450_000, currency: 'EUR' }, new Date(now).toISOString())).toThrow(ConflictError);
  });
});
