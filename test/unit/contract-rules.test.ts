import { describe, expect, it } from 'vitest';
import { activeOn, isDueToActivate, planSigning, type ContractStatus } from '../../domain/contracts/rules';
import {
  ALLOWED_FILTERS,
  ALLOWED_TAGS,
  CONTRACT_LIMITS,
  MAX_BODY_BYTES,
  contractEngine,
  placeholderScope,
  renderTemplate,
  templateIssues,
  templateRefusals,
} from '../../domain/contracts/placeholders';
import { contractDocument } from '../../domain/contracts';
import { ConflictError, UnprocessableError } from '../../domain/errors';

const now = new Date('2026-05-04T12:00:00Z');

describe('signing', () => {
  it.each<ContractStatus>(['draft', 'pending_approval', 'rejected', 'signed', 'active', 'expired', 'terminated', 'renewed'])(
    'refuses a %s contract',
    (status) => {
      expect(() => planSigning({ status, startDate: '2026-05-01' }, '2026-05-04T10:00:00Z', now)).toThrow(ConflictError);
    },
  );

  it('makes an approved contract active at once when its start date has come, else signed', () => {
    expect(planSigning({ status: 'approved', startDate: '2026-05-04' }, '2026-05-04T10:00:00Z', now)).toBe('active');
    expect(planSigning({ status: 'approved', startDate: '2026-06-01' }, '2026-05-04T10:00:00Z', now)).toBe('signed');
  });

  it('refuses a signature dated in the future', () => {
    expect(() => planSigning({ status: 'approved', startDate: '2026-05-01' }, '2026-05-05T10:00:00Z', now)).toThrow(UnprocessableError);
  });

  it('activates a signed contract on its start date', () => {
    expect(activeOn('2026-05-04', now)).toBe(true);
    expect(isDueToActivate({ status: 'signed', startDate: '2026-05-04' }, now)).toBe(true);
    expect(isDueToActivate({ status: 'signed', startDate: '2026-05-05' }, now)).toBe(false);
    expect(isDueToActivate({ status: 'approved', startDate: '2026-05-01' }, now)).toBe(false);
  });
});

describe('template placeholders', () => {
  it('accept every documented placeholder, loops and filters', () => {
    expect(
      templateIssues(
        '{{ company }} {{ today }} {{ customer.address.city }} {{ contacts[0].email }} {{ contacts.size }} {{ opportunity.name }}' +
          '{% for l in quote.lines %}{{ l.totals.net | money }}{% endfor %}{{ quote.totals.tax | money }} {{ contract.renewal }}',
      ),
    ).toEqual([]);
  });

  it('name each unknown placeholder', () => {
    expect(templateIssues('{{ customer.ssn }} {{ secrets }} {{ quote.lines.total }}').map((issue) => issue.message)).toEqual([
      expect.stringContaining('customer.ssn'),
      expect.stringContaining('secrets'),
      expect.stringContaining('quote.lines.total'),
    ]);
  });
});

describe('the contract template engine', () => {
  it('knows exactly the allowlisted tags and filters: nothing that reads a file, prints unescaped or dumps an object', () => {
    // Also fails when a LiquidJS upgrade renames or drops one of ours: then the allowlist needs a look.
    expect(Object.keys(contractEngine().tags).sort()).toEqual([...ALLOWED_TAGS].sort());
    expect(Object.keys(contractEngine().filters).sort()).toEqual([...ALLOWED_FILTERS].sort());
    for (const tag of ['include', 'render', 'layout', 'block', 'raw']) expect(ALLOWED_TAGS.has(tag)).toBe(false);
    for (const filter of ['raw', 'json', 'jsonify', 'inspect']) expect(ALLOWED_FILTERS.has(filter)).toBe(false);
  });

  it('names every refused tag and filter once, nested in blocks and in {% liquid %} too', () => {
    const source =
      "{% if true %}{% for l in quote.lines %}{% include 'a' %}{{ l | json }}{% endfor %}{% endif %}" +
      "{% liquid\n  render 'b'\n  echo customer | inspect\n  assign x = quote | json %}{% raw %}{{ x }}{% endraw %}{{ 'x' | raw }}";
    expect(templateRefusals(source).map((issue) => [issue.path, issue.message.split(' is not allowed')[0]])).toEqual([
      ['body.body', 'The {% include %} tag'],
      ['body.body', 'The | json filter'],
      ['body.body', 'The {% render %} tag'],
      ['body.body', 'The | inspect filter'],
      ['body.body', 'The {% raw %} tag'],
      ['body.body', 'The | raw filter'],
    ]);
  });

  it('refuses nothing in a template of allowed tags and filters; a commented-out tag is neither run nor refused', () => {
    const source =
      '{% comment %}{% include "old-header" %}{% endcomment %}{% assign n = quote.lines | size %}{% capture who %}{{ customer.name | upcase }}{% endcapture %}' +
      '{% for l in quote.lines limit: 3 %}{% cycle "odd", "even" %}{{ l.description | truncate: 20 }}{% endfor %}{{ contacts | map: "name" | join: ", " }}';
    expect(templateRefusals(source)).toEqual([]);
    expect(templateIssues(source)).toEqual([]);
  });

  it('parses a template as long as the body schema allows, and no longer', () => {
    expect(templateIssues('x'.repeat(CONTRACT_LIMITS.parseLimit))).toEqual([]);
    expect(renderTemplate('x'.repeat(CONTRACT_LIMITS.parseLimit + 1), {})).toMatchObject({ failure: 'it is longer than 100,000 characters' });
  });

  it('renders onto the placeholders only: other fields, and objects where a value belongs, are not there', () => {
    const scope = placeholderScope({
      company: 'Acme',
      secrets: 'no',
      customer: { name: 'Dolce', owner: 'bob', tenantId: 't1', email: { nested: 'object' }, address: { city: 'Milan', geo: [1, 2] } },
      contacts: [{ name: 'Gia', customerId: 'c1' }, 'not a contact'],
      quote: { lines: 'not a list', totals: { total: { amount: 5, currency: 'EUR', fx: 1 } }, owner: 'bob' },
    });
    expect(scope).toEqual({
      company: 'Acme',
      customer: { name: 'Dolce', address: { city: 'Milan' } },
      contacts: [{ name: 'Gia' }, undefined],
      quote: { totals: { total: { amount: 5, currency: 'EUR' } } },
    });
    expect(renderTemplate('{% assign c = customer %}[{{ c.owner }}{{ c.tenantId }}{{ c.name }}]', { customer: { name: 'Dolce', owner: 'bob', tenantId: 't1' } })).toEqual({
      body: '[Dolce]',
    });
  });

  it('names an inherited property (constructor, toString) as the unknown placeholder it is', () => {
    expect(templateIssues('{{ customer.constructor.name }} {{ quote.toString }}').map((issue) => issue.message)).toEqual([
      expect.stringContaining('customer.constructor.name'),
      expect.stringContaining('quote.toString'),
    ]);
  });

  it('counts the rendered body in UTF-8 bytes against what a contract item holds', () => {
    const half = MAX_BODY_BYTES / 2;
    expect(renderTemplate(`{{ company }}`, { company: 'é'.repeat(half) })).toEqual({ body: 'é'.repeat(half) });
    expect(renderTemplate(`{{ company }}`, { company: 'é'.repeat(half + 1) })).toMatchObject({ failure: expect.stringContaining('too long') });
  });
});

describe('the contract document', () => {
  it('escapes the title and keeps the rendered body as it is', () => {
    const html = contractDocument({ title: 'A & B <MSA>', body: '<h1>Agreement</h1>' });
    expect(html).toContain('<title>A &#38; B &#60;MSA&#62;</title>');
    expect(html).toContain('<body><h1>Agreement</h1></body>');
  });
});
