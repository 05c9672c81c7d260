/** Contract templates and contracts from accepted quotes, against DynamoDB Local. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createContract, createTemplate, getContract, listContracts, listTemplates, signContract, updateContract } from '../../domain/contracts';
import { createContact, createCustomer } from '../../domain/customers';
import { ConflictError, ForbiddenError, UnprocessableError, ValidationError } from '../../domain/errors';
import { DEFAULT_PIPELINE } from '../../domain/pipeline/rules';
import { createOpportunity, moveStage, putPipeline } from '../../domain/pipeline';
import { createQuote, decideQuote } from '../../domain/quotes';
import type { Deps } from '../../domain/shared/ports';
import { createTestDeps, people, rejection } from '../support/dynamo';

let deps: Deps;
beforeAll(async () => {
  deps = await createTestDeps();
});

const TEMPLATE = `<h1>{{ contract.title }}</h1>
<p>Between {{ company }} and {{ customer.name }}, from {{ contract.startDate }}{% if contract.endDate %} to {{ contract.endDate }}{% endif %}.</p>
<ul>{% for line in quote.lines %}<li>{{ line.quantity }} × {{ line.description }}: {{ line.totals.total | money }}</li>{% endfor %}</ul>
<p>Total {{ quote.totals.total | money }}. Contact: {{ contacts.first.name }}.</p>`;

async function acceptedQuote(who: ReturnType<typeof people>) {
  const customer = await createCustomer(deps, who.bob, { name: 'Dolce & <Gabbana>' });
  await createContact(deps, who.bob, customer.id, { name: 'Gia' });
  const opportunity = await createOpportunity(deps, who.bob, { customerId: customer.id, name: 'Annual platform', expectedCloseDate: '2026-12-31' });
  const quote = await createQuote(deps, who.bob, opportunity.id, {
    lines: [{ description: 'Platform', quantity: '12', unitPrice: { amount: 150000, currency: 'EUR' } }],
  });
  await decideQuote(deps, who.bob, quote.id, 'send', {});
  return { customer, opportunity, quote: await decideQuote(deps, who.bob, quote.id, 'accept', {}) };
}

describe('contract templates', () => {
  it('refuse unknown placeholders and bad syntax when saved, naming them', async () => {
    const { dana } = people();
    const unknown = await rejection(createTemplate(deps, dana, { name: 'Typo', body: '{{ customer.nmae }} {{ quote.totals.grand }}' }));
    expect(unknown).toBeInstanceOf(UnprocessableError);
    expect((unknown as UnprocessableError).errors.map((issue) => issue.message)).toEqual([
      expect.stringContaining('customer.nmae'),
      expect.stringContaining('quote.totals.grand'),
    ]);
    expect(await rejection(createTemplate(deps, dana, { name: 'Broken', body: '{% for x in %}' }))).toBeInstanceOf(UnprocessableError);
  });

  it('refuse a tag or filter contract templates may not use with a 400 naming it, before anything else', async () => {
    const { dana } = people();
    const refused = await rejection(createTemplate(deps, dana, { name: 'Sneaky', body: "{{ customer.nmae }}{% render 'package.json' %}{{ quote | json }}" }));
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).errors).toEqual([
      { path: 'body.body', message: expect.stringContaining('{% render %}') },
      { path: 'body.body', message: expect.stringContaining('| json') },
    ]);
  });

  it('are versioned: a replacement is the next version of the same template', async () => {
    const { dana } = people();
    const first = await createTemplate(deps, dana, { name: 'MSA', body: TEMPLATE });
    const second = await createTemplate(deps, dana, { name: 'MSA', body: `${TEMPLATE}<p>v2</p>`, replaces: first.id });
    expect(second).toMatchObject({ templateKey: first.id, version: 2 });
    expect((await listTemplates(deps, dana, {})).items.map((template) => template.version)).toEqual([1, 2]);
  });
});

describe('contracts', () => {
  it('are made from an accepted quote: rendered, escaped, with a snapshot of the money terms', async () => {
    const who = people();
    const { quote, customer } = await acceptedQuote(who);
    const template = await createTemplate(deps, who.dana, { name: 'MSA', body: TEMPLATE });
    const contract = await createContract(deps, who.bob, quote.id, { templateId: template.id, startDate: '2027-01-01', endDate: '2027-12-31' });
    expect(contract).toMatchObject({ status: 'draft', renewal: 'none', title: 'Annual platform', customerId: customer.id, version: 1 });
    expect(contract.body).toContain('Dolce &amp; &lt;Gabbana&gt;');
    expect(contract.body).toContain('12 × Platform: 18,000.00 EUR');
    expect(contract.body).toContain('Contact: Gia.');
    expect(contract.moneyTerms.totals.total).toEqual({ amount: 1800000, currency: 'EUR' });
    expect((await listContracts(deps, who.fiona, { customer: customer.id })).items.map((c) => c.id)).toEqual([contract.id]);
  });

  it('are not made from a quote that is not accepted, nor by a rep on another rep\'s quote', async () => {
    const who = people();
    const { opportunity, quote } = await acceptedQuote(who);
    const template = await createTemplate(deps, who.dana, { name: 'MSA', body: TEMPLATE });
    const draft = await createQuote(deps, who.bob, opportunity.id, { lines: [{ description: 'Extra', quantity: '1', unitPrice: { amount: 100, currency: 'EUR' } }] });
    expect(await rejection(createContract(deps, who.bob, draft.id, { templateId: template.id, startDate: '2027-01-01' }))).toBeInstanceOf(ConflictError);
    expect(await rejection(createContract(deps, who.carol, quote.id, { templateId: template.id, startDate: '2027-01-01' }))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(createContract(deps, who.bob, quote.id, { templateId: 'NOPE', startDate: '2027-01-01' }))).toBeInstanceOf(UnprocessableError);
  });

  it('change only as a draft, re-rendered; after submission any edit is a 409', async () => {
    const who = people();
    const { quote } = await acceptedQuote(who);
    const template = await createTemplate(deps, who.dana, { name: 'MSA', body: TEMPLATE });
    const contract = await createContract(deps, who.bob, quote.id, { templateId: template.id, startDate: '2027-01-01' });
    const changed = await updateContract(deps, who.bob, contract.id, { title: 'Platform 2027', endDate: '2027-06-30' }, { ifMatch: 1 });
    expect(changed).toMatchObject({ version: 2, title: 'Platform 2027', endDate: '2027-06-30' });
    expect(changed.body).toContain('<h1>Platform 2027</h1>');
    expect(changed.body).toContain('to 2027-06-30');
    expect(await rejection(updateContract(deps, who.bob, contract.id, { endDate: '2026-01-01' }))).toBeInstanceOf(UnprocessableError);

    // Submission belongs to the approval workflow; here the status is set as it will leave it.
    await deps.db.entities.contract.patch({ tenantId: who.tenant, contractId: contract.id }).set({ status: 'pending_approval' }).go();
    expect(await rejection(updateContract(deps, who.alice, contract.id, { title: 'Sneaky' }))).toBeInstanceOf(ConflictError);
    expect((await getContract(deps, who.bob, contract.id)).title).toBe('Platform 2027');
  });
});

describe('a draft whose template predates the template rules', () => {
  it('is not changed when it can no longer be rendered: a 422 naming the template, the draft as it was', async () => {
    const who = people();
    const { quote } = await acceptedQuote(who);
    const template = await createTemplate(deps, who.dana, { name: 'MSA', body: TEMPLATE });
    const contract = await createContract(deps, who.bob, quote.id, { templateId: template.id, startDate: '2027-01-01' });
    // As if saved before the rules: the same template version, with a tag that reads a file.
    const stored = (await deps.db.entities.contractTemplate.get({ tenantId: who.tenant, templateId: template.id }).go()).data!;
    await deps.db.entities.contractTemplate.put({ ...stored, body: `${TEMPLATE}{% include 'package.json' %}` }).go();

    const refused = await rejection(updateContract(deps, who.bob, contract.id, { title: 'Platform 2027' }));
    expect(refused).toBeInstanceOf(UnprocessableError);
    expect((refused as UnprocessableError).errors).toEqual([
      { path: 'templateId', message: expect.stringMatching(/^Template "MSA" \(version 1\) cannot be rendered: the \{% include %\} tag is not allowed/) },
    ]);
    expect(await getContract(deps, who.bob, contract.id)).toMatchObject({ version: 1, title: 'Annual platform', body: contract.body });
  });
});

describe('signing', () => {
  it('records the signature of an approved contract; a past start date makes it active at once', async () => {
    const who = people();
    const { quote, opportunity } = await acceptedQuote(who);
    const template = await createTemplate(deps, who.dana, { name: 'MSA', body: TEMPLATE });
    const contract = await createContract(deps, who.bob, quote.id, { templateId: template.id, startDate: '2026-01-01' });
    expect(await rejection(signContract(deps, who.bob, contract.id, { signedBy: 'Gia', signedAt: new Date().toISOString() }))).toBeInstanceOf(ConflictError);
    // Approval belongs to the workflow; here the contract is set approved as the workflow will leave it.
    await deps.db.entities.contract.patch({ tenantId: who.tenant, contractId: contract.id }).set({ status: 'approved' }).go();
    const signed = await signContract(deps, who.bob, contract.id, { signedBy: 'Gia', signedAt: new Date().toISOString() });
    expect(signed).toMatchObject({ status: 'active', signedBy: 'Gia' });
    expect((await listContracts(deps, who.alice, { opportunity: opportunity.id, status: 'active' })).items.map((c) => c.id)).toEqual([contract.id]);
  });
});

describe('the contract gate', () => {
  it('the default pipeline lets a deal be won only once a contract is signed', async () => {
    const who = people();
    const { quote, opportunity } = await acceptedQuote(who);
    expect(DEFAULT_PIPELINE.stages.find((stage) => stage.key === 'negotiation')?.exitCriteria).toEqual(['contract_signed']);
    await putPipeline(
      deps,
      who.dana,
      { stages: DEFAULT_PIPELINE.stages.map((stage) => ({ ...stage, exitCriteria: stage.key === 'negotiation' ? stage.exitCriteria : [] })) },
      {},
    );
    await moveStage(deps, who.bob, opportunity.id, { stage: 'negotiation' });
    const blocked = await rejection(moveStage(deps, who.bob, opportunity.id, { stage: 'won' }));
    expect((blocked as UnprocessableError).errors.map((issue) => issue.path)).toEqual(['contracts']);
    const template = await createTemplate(deps, who.dana, { name: 'MSA', body: TEMPLATE });
    const contract = await createContract(deps, who.bob, quote.id, { templateId: template.id, startDate: '2026-01-01' });
    await deps.db.entities.contract.patch({ tenantId: who.tenant, contractId: contract.id }).set({ status: 'approved' }).go();
    await signContract(deps, who.bob, contract.id, { signedBy: 'Gia', signedAt: new Date().toISOString() });
    await expect(moveStage(deps, who.bob, opportunity.id, { stage: 'won' })).resolves.toMatchObject({ status: 'won' });
  });
});
