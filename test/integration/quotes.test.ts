/**
 * Quotes against DynamoDB Local: server-side pricing from the catalog and the tenant's tax rates, versions and
 * the primary quote that sets the opportunity's amount, the lifecycle, expiry, and the quote gate.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createProduct } from '../../domain/catalog';
import { createCustomer } from '../../domain/customers';
import { ConflictError, ForbiddenError, UnprocessableError } from '../../domain/errors';
import { DEFAULT_PIPELINE } from '../../domain/pipeline/rules';
import { createOpportunity, getOpportunity, moveStage, putPipeline } from '../../domain/pipeline';
import { createQuote, decideQuote, getQuote, listQuotes, reviseQuote, updateQuote } from '../../domain/quotes';
import { putSettings } from '../../domain/settings';
import type { Deps } from '../../domain/shared/ports';
import { createTestDeps, people, rejection, withClock } from '../support/dynamo';

let deps: Deps;
let now = Date.parse('2026-05-04T10:00:00.000Z');
beforeAll(async () => {
  deps = withClock(await createTestDeps(), () => now);
});

async function setUp() {
  const who = people();
  await putSettings(deps, who.dana, { baseCurrency: 'EUR', lostReasons: ['price'], taxRates: { standard: '13', zero: '0' }, maxDiscountPercent: '15' }, {});
  const product = await createProduct(deps, who.alice, { sku: `LIC-${Math.random()}`, name: 'Licence', unitPrices: [{ amount: 100000, currency: 'EUR' }] });
  const customer = await createCustomer(deps, who.bob, { name: `Quoted ${Math.random()}` });
  const opportunity = await createOpportunity(deps, who.bob, { customerId: customer.id, name: 'Licences', expectedCloseDate: '2026-09-30' });
  return { who, product, customer, opportunity };
}

describe('quotes', () => {
  it('price on the server: 2 × 1,000.00, 10% off, 13% tax → 2,034.00; the primary quote sets the amount', async () => {
    const { who, product, opportunity } = await setUp();
    const quote = await createQuote(deps, who.bob, opportunity.id, { lines: [{ productId: product.id, quantity: '2', discountPercent: '10' }] });
    expect(quote.totals).toEqual({
      list: { amount: 200000, currency: 'EUR' },
      subtotal: { amount: 200000, currency: 'EUR' },
      discount: { amount: 20000, currency: 'EUR' },
      tax: { amount: 23400, currency: 'EUR' },
      total: { amount: 203400, currency: 'EUR' },
    });
    expect(quote.lines[0]).toMatchObject({ description: 'Licence', taxCategory: 'standard', taxPercent: '13', unitPrice: { amount: 100000 } });
    expect(quote).toMatchObject({ status: 'draft', revision: 1, primary: true, needsApproval: false, validUntil: '2026-06-03' });
    expect((await getOpportunity(deps, who.bob, opportunity.id)).amount).toEqual({ amount: 180000, currency: 'EUR' });
  });

  it('refuse lines that cannot be priced, naming each', async () => {
    const { who, opportunity } = await setUp();
    // A manager: a rep may not choose a tax category at all (test/security/discount-bypass.test.ts).
    const error = await rejection(
      createQuote(deps, who.alice, opportunity.id, {
        lines: [
          { productId: 'NOPE', quantity: '1' },
          { description: 'Travel', quantity: '1', unitPrice: { amount: 500, currency: 'USD' } },
          { description: 'Fee', quantity: '1', unitPrice: { amount: 500, currency: 'EUR' }, taxCategory: 'luxury' },
          { description: 'Gift', quantity: '1', unitPrice: { amount: 500, currency: 'EUR' }, discountAmount: { amount: 600, currency: 'EUR' } },
        ],
      }),
    );
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as UnprocessableError).errors.map((issue) => issue.path)).toEqual([
      'body.lines.0.productId',
      'body.lines.0.unitPrice',
      'body.lines.1.unitPrice.currency',
      'body.lines.2.taxCategory',
    ]);
    const tooMuch = await rejection(
      createQuote(deps, who.bob, opportunity.id, {
        lines: [{ description: 'Gift', quantity: '1', unitPrice: { amount: 500, currency: 'EUR' }, discountAmount: { amount: 600, currency: 'EUR' } }],
      }),
    );
    expect((tooMuch as UnprocessableError).errors.map((issue) => issue.path)).toEqual(['body.lines.0.discountAmount']);
  });

  it('edit only in draft; sending locks the version; the customer answers a sent quote once', async () => {
    const { who, product, opportunity } = await setUp();
    const quote = await createQuote(deps, who.bob, opportunity.id, { lines: [{ productId: product.id, quantity: '1' }] });
    const edited = await updateQuote(deps, who.bob, quote.id, { lines: [{ productId: product.id, quantity: '3' }], terms: 'Net 30' }, { ifMatch: 1 });
    expect(edited).toMatchObject({ version: 2, totals: { subtotal: { amount: 300000 } } });
    expect((await getOpportunity(deps, who.bob, opportunity.id)).amount?.amount).toBe(300000);
    const sent = await decideQuote(deps, who.bob, quote.id, 'send', {});
    expect(sent).toMatchObject({ status: 'sent', sentBy: 'bob' });
    expect(await rejection(updateQuote(deps, who.bob, quote.id, { notes: 'late change' }))).toBeInstanceOf(ConflictError);
    expect(await rejection(decideQuote(deps, who.carol, quote.id, 'accept', {}))).toBeInstanceOf(ForbiddenError);
    await expect(decideQuote(deps, who.bob, quote.id, 'accept', { note: 'PO 4711' })).resolves.toMatchObject({ status: 'accepted', decisionNote: 'PO 4711' });
    expect(await rejection(decideQuote(deps, who.bob, quote.id, 'reject', {}))).toBeInstanceOf(ConflictError);
    expect(await rejection(reviseQuote(deps, who.bob, quote.id))).toBeInstanceOf(ConflictError);
  });

  it('revising makes version n+1 the primary draft; the old version stays as it was', async () => {
    const { who, product, opportunity } = await setUp();
    const first = await createQuote(deps, who.bob, opportunity.id, { lines: [{ productId: product.id, quantity: '1' }] });
    await decideQuote(deps, who.bob, first.id, 'send', {});
    await decideQuote(deps, who.bob, first.id, 'reject', { note: 'Too expensive' });
    const second = await reviseQuote(deps, who.bob, first.id);
    expect(second).toMatchObject({ quoteNumber: first.quoteNumber, revision: 2, status: 'draft', primary: true });
    const cheaper = await updateQuote(deps, who.bob, second.id, { discountPercent: '5' });
    expect(cheaper.totals.discount.amount).toBe(5000);
    expect((await getOpportunity(deps, who.bob, opportunity.id)).amount?.amount).toBe(95000);
    const all = await listQuotes(deps, who.fiona, opportunity.id, {});
    expect(all.items.map((quote) => [quote.revision, quote.status, quote.primary])).toEqual([
      [1, 'rejected', false],
      [2, 'draft', true],
    ]);
  });

  it("a discount beyond the tenant's limit is fine in draft but only a manager sends it", async () => {
    const { who, product, opportunity } = await setUp();
    const quote = await createQuote(deps, who.bob, opportunity.id, { lines: [{ productId: product.id, quantity: '1', discountPercent: '20' }] });
    expect(quote).toMatchObject({ needsApproval: true, effectiveDiscountPercent: '20.00' });
    expect(await rejection(decideQuote(deps, who.bob, quote.id, 'send', {}))).toBeInstanceOf(ForbiddenError);
    await expect(decideQuote(deps, who.alice, quote.id, 'send', {})).resolves.toMatchObject({ status: 'sent', sentBy: 'alice' });
  });

  it('a sent quote past its validity expires on read and can then only be revised', async () => {
    const { who, product, opportunity } = await setUp();
    const quote = await createQuote(deps, who.bob, opportunity.id, { lines: [{ productId: product.id, quantity: '1' }], validUntil: '2026-05-10' });
    await decideQuote(deps, who.bob, quote.id, 'send', {});
    now = Date.parse('2026-05-11T08:00:00.000Z');
    expect((await getQuote(deps, who.bob, quote.id)).status).toBe('expired');
    expect(await rejection(decideQuote(deps, who.bob, quote.id, 'accept', {}))).toBeInstanceOf(ConflictError);
    const revised = await reviseQuote(deps, who.bob, quote.id);
    expect(revised).toMatchObject({ revision: 2, status: 'draft', validUntil: '2026-06-10' });
  });

  it('leaving the quote stage needs a sent quote', async () => {
    const { who, product, opportunity } = await setUp();
    await putPipeline(
      deps,
      who.dana,
      { stages: DEFAULT_PIPELINE.stages.map((stage) => (stage.key === 'quote' ? stage : { ...stage, exitCriteria: [] })) },
      {},
    );
    await moveStage(deps, who.bob, opportunity.id, { stage: 'quote' });
    const blocked = await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'negotiation' }));
    expect((blocked as UnprocessableError).errors.map((issue) => issue.path)).toEqual(['quotes']);
    const quote = await createQuote(deps, who.bob, opportunity.id, { lines: [{ productId: product.id, quantity: '1' }] });
    expect(await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'negotiation' }))).toBeInstanceOf(UnprocessableError);
    await decideQuote(deps, who.bob, quote.id, 'send', {});
    await expect(moveStage(deps, who.bob, opportunity.id, { stage: 'negotiation' })).resolves.toMatchObject({ stage: 'negotiation' });
  });

  it('are made only on open opportunities the caller may work', async () => {
    const { who, product, opportunity } = await setUp();
    expect(await rejection(createQuote(deps, who.carol, opportunity.id, { lines: [{ productId: product.id, quantity: '1' }] }))).toBeInstanceOf(ForbiddenError);
    await moveStage(deps, who.bob, opportunity.id, { stage: 'lost', lostReason: 'price' });
    expect(await rejection(createQuote(deps, who.bob, opportunity.id, { lines: [{ productId: product.id, quantity: '1' }] }))).toBeInstanceOf(
      UnprocessableError,
    );
  });
});
