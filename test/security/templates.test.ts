/**
 * Contract templates are code a tenant admin writes and the server runs (OWASP API8, API4). Over HTTP against the
 * local server: a template reads no file (include/render/layout are refused when saved, and fail safely at render
 * in a template saved before that rule), sees only the placeholders (no `json` dump, no field reached through
 * `assign` that the allowlist does not name), prints nothing unescaped (`raw`), and a runaway template is a 422
 * that writes nothing while the function keeps answering. The documents are served sandboxed.
 * Every response is checked against the OpenAPI document by `call()`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../domain/shared/ports';
import { createDeps } from '../../functions/shared/runtime';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

type Problem = { status: number; detail: string; errors: Array<{ path: string; message: string }> };
type Contract = { id: string; body: string };

let api: TestApi;
let deps: Deps;
let tenant: string;
let admin: string;
let rep: string;

beforeAll(async () => {
  api = await startTestApi();
  // The API's own table, to put a template there as it was saved before the rules of this file existed.
  deps = createDeps({ tableName: process.env.TABLE_NAME!, endpoint: process.env.DYNAMODB_ENDPOINT });
  tenant = newTenant('templates');
  admin = await api.token(tenant, 'admin', 'dana');
  rep = await api.token(tenant, 'rep', 'bob');
});
afterAll(() => api.close());

/** What package.json (in the server's working directory, and in the Lambda bundle's place) starts with. */
const PACKAGE_JSON = '"name": "salesflow"';

async function ok<T = { id: string }>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const response = await call<T>(api, method, path, { token, body });
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body;
}

/** An accepted quote of a customer with fields no template may show (territory, tags, owner) and a contact. */
let customers = 0;
async function acceptedQuote(): Promise<{ quoteId: string; customerId: string }> {
  const email = `buyer${++customers}@acme.example`;
  const customer = await ok('POST', '/customers', rep, { name: 'Acme', territory: 'emea_secret', tags: ['vip-internal'], email });
  await ok('POST', `/customers/${customer.id}/contacts`, rep, { name: 'Gia', email: `gia${customers}@acme.example` });
  const deal = await ok('POST', '/opportunities', rep, { customerId: customer.id, name: 'Platform deal', expectedCloseDate: '2027-03-31' });
  const quote = await ok('POST', `/opportunities/${deal.id}/quotes`, rep, {
    currency: 'EUR',
    lines: [{ description: 'Licences', quantity: '2', unitPrice: { amount: 50_000, currency: 'EUR' } }],
  });
  await ok('POST', `/quotes/${quote.id}/send`, rep);
  await ok('POST', `/quotes/${quote.id}/accept`, rep);
  return { quoteId: quote.id, customerId: customer.id };
}

const saveTemplate = (body: string) => call<Problem & { id: string }>(api, 'POST', '/contract-templates', { token: admin, body: { name: 'MSA', body } });

/** A template as it may sit in the table from before these rules: written straight to the store, unchecked. */
async function storedTemplate(body: string): Promise<string> {
  const templateId = deps.ids.next();
  await deps.db.entities.contractTemplate
    .create({
      tenantId: tenant,
      templateId,
      templateKey: templateId,
      templateVersion: 1,
      name: 'Legacy MSA',
      body,
      createdAt: new Date().toISOString(),
      createdBy: 'dana',
    })
    .go();
  return templateId;
}

const makeContract = (quoteId: string, templateId: string, extra: Record<string, unknown> = {}) =>
  call<Problem & Contract>(api, 'POST', `/quotes/${quoteId}/contract`, { token: rep, body: { templateId, startDate: '2027-01-01', ...extra } });

async function contractsOf(customerId: string): Promise<unknown[]> {
  return (await ok<{ items: unknown[] }>('GET', `/contracts?customer=${customerId}`, rep)).items;
}

function expectRefused(response: { status: number; body: Problem }, name: RegExp) {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body.errors).toEqual([{ path: 'body.body', message: expect.stringMatching(name) }]);
}

describe('templates read no file', () => {
  it.each([
    ['include', `{% include 'package.json' %}`],
    ['render', `{% render 'package.json' %}`],
    ['layout', `{% layout 'package.json' %}`],
    ['include', `<p>{% if true %}{% include "./package.json" %}{% endif %}</p>`],
  ])('refuse the %s tag when the template is saved: 400 naming it (%s)', async (tag, body) => {
    expectRefused(await saveTemplate(body), new RegExp(`\\{% ${tag} %\\}`));
  });

  it.each([`{% include 'package.json' %}`, `{% render 'package.json' %}`, `{% layout 'package.json' %}`])(
    'fail safely at render in a template saved before the rule (%s): 422 naming the template and tag, nothing written',
    async (body) => {
      const { quoteId, customerId } = await acceptedQuote();
      const templateId = await storedTemplate(body);
      const response = await makeContract(quoteId, templateId);
      expect(response.status, JSON.stringify(response.body)).toBe(422);
      expect(JSON.stringify(response.body)).not.toContain(PACKAGE_JSON);
      expect(response.body.errors).toEqual([{ path: 'body.templateId', message: expect.stringMatching(/Legacy MSA.*\{% (include|render|layout) %\}/) }]);
      expect(await contractsOf(customerId)).toEqual([]);
    },
  );
});

describe('templates see only the placeholders', () => {
  it('refuse the json, jsonify and inspect filters when saved: 400 naming the filter', async () => {
    expectRefused(await saveTemplate('{% assign c = customer %}{{ c | json }}'), /\| json/);
    expectRefused(await saveTemplate('{{ quote | jsonify }}'), /\| jsonify/);
    expectRefused(await saveTemplate('{% assign x = contacts | inspect %}{{ x }}'), /\| inspect/);
  });

  it('show nothing outside the allowlist through assign, loops or a json dump saved before the rule', async () => {
    const { quoteId } = await acceptedQuote();
    const email = `buyer${customers}@acme.example`;
    // Passes the save-time check (c and x are local names), so only the render scope can stop it.
    const saved = await saveTemplate(
      '[{% assign c = customer %}{{ c.name }}|{{ c.owner }}|{{ c.territory }}|{{ c.tags }}|{{ c.tenantId }}|{{ c.email }}]' +
        '[{% for x in contacts %}{{ x.name }}|{{ x.customerId }}|{{ x.tenantId }}|{{ x.createdBy }}{% endfor %}]' +
        '[{% assign q = quote %}{{ q.owner }}|{{ q.status }}|{{ q.opportunityId }}|{{ q.totals.total | money }}]',
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const contract = await makeContract(quoteId, saved.body.id);
    expect(contract.status, JSON.stringify(contract.body)).toBe(201);
    expect(contract.body.body).toBe(`[Acme|||||${email}][Gia|||][|||1,000.00 EUR]`);

    // A dump saved before the rule: refused at render rather than showing the record.
    const legacy = await makeContract(quoteId, await storedTemplate('{% assign c = customer %}{{ c | json }}{{ customer.owner }}'));
    expect(legacy.status, JSON.stringify(legacy.body)).toBe(422);
    expect(legacy.body.errors).toEqual([{ path: 'body.templateId', message: expect.stringContaining('| json') }]);
    expect(JSON.stringify(legacy.body)).not.toContain('emea_secret');
  });
});

describe('templates print nothing unescaped', () => {
  it('refuse the raw filter and the raw tag when saved: 400 naming them', async () => {
    expectRefused(await saveTemplate('<p>{{ contract.specialTerms | raw }}</p>'), /\| raw/);
    expectRefused(await saveTemplate('{% raw %}<b>{{ literally }}</b>{% endraw %}'), /\{% raw %\}/);
  });

  it('refuse raw at render in a template saved before the rule: the rep-entered text is never sent unescaped', async () => {
    const { quoteId, customerId } = await acceptedQuote();
    const templateId = await storedTemplate('<p>{{ contract.specialTerms | raw }}</p>');
    const response = await makeContract(quoteId, templateId, { specialTerms: '<img src=x onerror=alert(1)>' });
    expect(response.status, JSON.stringify(response.body)).toBe(422);
    expect(await contractsOf(customerId)).toEqual([]);
  });
});

describe('a runaway template', () => {
  it('is a 422 at render that writes nothing, and the function answers the next request', async () => {
    const { quoteId, customerId } = await acceptedQuote();
    const runaway = await saveTemplate('{% for i in (1..3000000) %}<p>{{ i }}</p>{% endfor %}');
    expect(runaway.status, JSON.stringify(runaway.body)).toBe(201);
    const refused = await makeContract(quoteId, runaway.body.id);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'body.templateId', message: expect.stringContaining('MSA') }]);
    expect(await contractsOf(customerId)).toEqual([]);

    const fine = await saveTemplate('<p>{{ customer.name }}</p>');
    const contract = await makeContract(quoteId, fine.body.id);
    expect(contract.status, JSON.stringify(contract.body)).toBe(201);
    expect(contract.body.body).toBe('<p>Acme</p>');
  });

  it('that renders more text than a contract can hold is a 422, not a failed write', async () => {
    const { quoteId, customerId } = await acceptedQuote();
    const saved = await saveTemplate('{% for i in (1..50000) %}<p>A long clause of the agreement.</p>{% endfor %}');
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const refused = await makeContract(quoteId, saved.body.id);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'body.templateId', message: expect.stringMatching(/MSA.*too long/) }]);
    expect(await contractsOf(customerId)).toEqual([]);
  });

  it('that doubles a string until it fills the memory is a 422', async () => {
    const { quoteId, customerId } = await acceptedQuote();
    for (const body of [
      '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
      '{% capture s %}xxxxxxxxxx{% endcapture %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}',
    ]) {
      const saved = await saveTemplate(body);
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
      const refused = await makeContract(quoteId, saved.body.id);
      expect(refused.status, `${body}: ${JSON.stringify(refused.body)}`).toBe(422);
    }
    expect(await contractsOf(customerId)).toEqual([]);
  });

  it('that runs on loops over loops is stopped by the render time limit: a 422', async () => {
    const { quoteId, customerId } = await acceptedQuote();
    // 1e10 iterations over one 100-item list: no new memory per iteration, only time bounds it.
    const saved = await saveTemplate(
      '{% assign r = (1..100) %}{% for a in r %}{% for b in r %}{% for c in r %}{% for d in r %}{% for e in r %}.{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}',
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const refused = await makeContract(quoteId, saved.body.id);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(await contractsOf(customerId)).toEqual([]);
  });
});

describe('documents', () => {
  it('are served sandboxed (no script) and never sniffed as another type', async () => {
    const { quoteId } = await acceptedQuote();
    const template = await ok('POST', '/contract-templates', admin, { name: 'MSA', body: '<p>{{ customer.name }}</p>' });
    const contract = await ok('POST', `/quotes/${quoteId}/contract`, rep, { templateId: template.id, startDate: '2027-01-01' });
    for (const path of [`/quotes/${quoteId}/document`, `/contracts/${contract.id}/document`]) {
      const response = await call<string>(api, 'GET', path, { token: rep });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toMatch(/^sandbox;/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});
