/**
 * The pieces behind the pages a browser gets (approval links): escaping by default, content negotiation, reading
 * an HTML form, and the pages themselves on hostile values.
 */
import { describe, expect, it } from 'vitest';
import { renderLinkDecided, renderLinkPage } from '../../domain/approvals';
import { escapeHtml, html, htmlDocument } from '../../domain/shared/html';
import { prefersHtml } from '../../functions/shared/middleware/negotiate-html';
import { readForm } from '../../functions/shared/middleware/parse-json-body';
import { problemPage } from '../../functions/shared/problem-page';

const HOSTILE = `<script>alert("x")</script> & 'q'`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;';

describe('html``', () => {
  it('escapes every interpolated value, and only markup made by html`` goes in as is', () => {
    expect(escapeHtml(HOSTILE)).toBe(ESCAPED);
    expect(html`<p title="${HOSTILE}">${HOSTILE}</p>`.value).toBe(`<p title="${ESCAPED}">${ESCAPED}</p>`);
    const item = (text: string) => html`<li>${text}</li>`;
    expect(html`<ul>${['a<b', 'c&d'].map(item)}</ul>`.value).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
    expect(html`<p>${undefined}${null}${false}${0}${'x'}</p>`.value).toBe('<p>0x</p>');
    // A string that looks like markup is still text.
    expect(html`${'<b>bold</b>'}`.value).toBe('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('makes a whole page with its title escaped and nothing external', () => {
    const page = htmlDocument(HOSTILE, html`<p>hi</p>`);
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain(`<title>${ESCAPED}</title>`);
    expect(page).not.toMatch(/<script|\bsrc=|\bhref=/);
  });
});

describe('prefersHtml', () => {
  const chromium = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
  const firefox = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  const form = 'application/x-www-form-urlencoded';

  it.each([
    ['a browser navigating (Chromium)', { accept: chromium }, true],
    ['a browser navigating (Firefox)', { accept: firefox }, true],
    ['a browser submitting the form', { accept: chromium, 'content-type': form }, true],
    ['HTML asked for by name', { accept: 'text/html' }, true],
    ['text/* over */*', { accept: 'text/*, */*;q=0.5' }, true],
    ['JSON', { accept: 'application/json' }, false],
    ['*/* (curl, fetch)', { accept: '*/*' }, false],
    ['no Accept', {}, false],
    ['HTML liked less than JSON', { accept: 'text/html;q=0.5, application/json' }, false],
    ['both by name, equally', { accept: 'application/json, text/html' }, false],
    ['HTML refused', { accept: 'text/html;q=0, */*' }, false],
    ['a form with */* (curl -d)', { accept: '*/*', 'content-type': form }, true],
    ['a form without Accept', { 'content-type': `${form}; charset=UTF-8` }, true],
    ['a form that asks for JSON', { accept: 'application/json', 'content-type': form }, false],
    ['JSON with */*', { accept: '*/*', 'content-type': 'application/json' }, false],
    ['a malformed Accept', { accept: 'garbage, ;;, /' }, false],
  ])('%s → %s', (_, headers, expected) => {
    expect(prefersHtml(headers)).toBe(expected);
  });
});

describe('readForm', () => {
  it('reads fields as strings, leaves out empty and blank ones, makes a repeated one a list', () => {
    expect(readForm('comment=Fine%20by+me&decision=approve')).toEqual({ comment: 'Fine by me', decision: 'approve' });
    expect(readForm('comment=&decision=reject')).toEqual({ decision: 'reject' });
    expect(readForm('comment=%20%20')).toEqual({});
    expect(readForm('comment=a&comment=b')).toEqual({ comment: ['a', 'b'] });
  });

  it('keeps a field named __proto__ a field, not a prototype', () => {
    const fields = readForm('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.keys(fields).sort()).toEqual(['__proto__', 'constructor']);
  });
});

describe('the approval link pages', () => {
  const view = {
    requestId: 'c1-r1-l1',
    contractId: 'c1',
    contractTitle: HOSTILE,
    customerName: HOSTILE,
    level: 1,
    levelName: HOSTILE,
    escalated: true,
    reasons: [HOSTILE],
    decision: 'approve' as const,
    approver: HOSTILE,
    status: 'pending' as const,
    total: { amount: 123_456_789, currency: 'EUR' },
    expiresAt: '2026-11-02T10:00:00.000Z',
  };

  it('the link page escapes every value and formats the total from minor units', () => {
    const page = renderLinkPage(view, { problem: HOSTILE, comment: HOSTILE });
    expect(page).not.toContain('<script>');
    expect(page).toContain(`<dd id="customer">${ESCAPED}</dd>`);
    expect(page).toContain(`<li>${ESCAPED}</li>`);
    expect(page).toContain(`<dd id="level">1 · ${ESCAPED} (escalated)</dd>`);
    expect(page).toContain('<dd id="total">1,234,567.89 EUR</dd>');
    expect(page).toContain('<dd id="expires">2026-11-02 10:00 UTC</dd>');
    expect(page).toContain(`<p class="problem" id="problem" role="alert">${ESCAPED}</p>`);
    expect(page).toMatch(new RegExp(`<textarea [^>]*>${ESCAPED.replace(/[&()]/g, '\\$&')}</textarea>`));
  });

  it('a step that is no longer pending shows why, without a form', () => {
    const page = renderLinkPage({ ...view, status: 'timed_out' });
    expect(page).toContain('<h1>Nothing left to decide</h1>');
    expect(page).toContain('This step timed out');
    expect(page).not.toContain('<form');
  });

  it('the confirmation and a problem page escape too', () => {
    const confirmation = renderLinkDecided({
      id: 'c1-r1-l1', contractId: 'c1', contractTitle: HOSTILE, revision: 1, level: 1, levelName: 'Manager', escalated: false,
      approvers: { role: 'manager' }, total: { amount: 100, currency: 'EUR' }, dueAt: '2026-11-02T10:00:00.000Z', status: 'approved',
      decision: 'approve', decidedBy: HOSTILE, decidedAt: '2026-11-01T09:30:00.000Z', comment: HOSTILE, via: 'link', createdAt: '2026-11-01T09:00:00.000Z',
    });
    expect(confirmation).not.toContain('<script>');
    expect(confirmation).toContain('<h1>Contract approved</h1>');
    expect(confirmation).toContain(`approved</strong> by ${ESCAPED} at 2026-11-01 09:30 UTC.`);
    const problem = problemPage({ type: '/problems/bad-request', title: 'Bad Request', status: 400, detail: HOSTILE, errors: [{ path: 'body.x', message: HOSTILE }] });
    expect(problem).not.toContain('<script>');
    expect(problem).toContain(`<li><code>body.x</code>: ${ESCAPED}</li>`);
  });
});
