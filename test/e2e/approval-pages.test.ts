/**
 * Approval links in a browser, over HTTP: content negotiation (a browser's Accept gets the link's page, an API
 * client JSON), the page's form post, its confirmation and error pages (same status as the problem+json), the
 * headers that lock the pages down, and HTML escaping. Every response is checked against the OpenAPI document by
 * `call()`. The same flow in a real browser: test/browser/approval-link.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalTrail, pendingStepWithLinks, type PendingStep } from '../support/approval-links';
import { call, startTestApi, type CallResult, type TestApi } from '../support/local-api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

/** What Chromium sends when it navigates (and when it submits a form). */
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
const FORM = 'application/x-www-form-urlencoded';

const browse = (path: string) => call<string>(api, 'GET', path, { headers: { accept: BROWSER } });
const submitForm = (path: string, fields: Record<string, string>, accept = BROWSER) =>
  call<string>(api, 'POST', path, { rawBody: new URLSearchParams(fields).toString(), headers: { 'content-type': FORM, accept } });

function expectPage(response: CallResult<string>, status: number): string {
  expect(response.status, String(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('vary')).toBe('Accept');
  const page = response.body;
  expect(page.startsWith('<!doctype html>')).toBe(true);
  // Self-contained: no script, nothing loaded from anywhere.
  expect(page).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
  return page;
}

function expectJson(response: CallResult, status: number, type = 'application/json') {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe(type);
  expect(response.headers.get('vary')).toBe('Accept');
  expect(response.headers.get('content-security-policy')).toBeNull();
}

/** A link of the step with its signature changed: well formed, but not ours. */
const forged = (path: string) => {
  const token = path.split('/').pop()!;
  const [payload, signature] = token.split('.');
  return `/approval-links/${payload}.${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
};

describe('approval links in a browser', () => {
  let step: PendingStep;
  beforeAll(async () => {
    step = await pendingStepWithLinks(api, {
      name: 'link-pages',
      customerName: 'Müller & Söhne <b>GmbH</b> "Nord"',
      contractTitle: 'Platform <script>alert(1)</script> renewal',
      amount: 60_000_00,
      level: 2,
    });
  });

  it('GET: a browser gets the page (contract, customer, total, level, reasons, the form), escaped and locked down; changes nothing', async () => {
    const page = expectPage(await browse(step.rejectPath), 200);
    expect(page).toContain('<title>Reject: Platform &lt;script&gt;alert(1)&lt;/script&gt; renewal</title>');
    expect(page).toContain('<dd id="customer">Müller &amp; Söhne &lt;b&gt;GmbH&lt;/b&gt; &quot;Nord&quot;</dd>');
    expect(page).toContain('<dd id="total">60,000.00 EUR</dd>');
    expect(page).toContain('<dd id="level">2 · Finance</dd>');
    expect(page).toContain('<li>total 60000.00 EUR ≥ 50000.00</li>');
    expect(page).toContain('<dd id="approver">fiona</dd>');
    expect(page).toMatch(/<form method="post">[\s\S]*<textarea id="comment" name="comment"[^>]*><\/textarea>[\s\S]*<button type="submit" name="decision" value="reject" class="reject">Reject<\/button>/);
    expect(page).not.toContain('<b>GmbH');
    expect(page).not.toContain('<script>');

    const approvePage = expectPage(await browse(step.approvePath), 200);
    expect(approvePage).toContain('<h1>Approve this contract?</h1>');
    expect(approvePage).toContain('value="approve"');

    const trail = await approvalTrail(api, step.tokens.rep, step.contractId);
    expect(trail.requests.find((r) => r.id === step.request.id)?.status).toBe('pending');
  });

  it('GET: an API client keeps JSON (application/json, */*, or HTML liked less), with the customer, level and reasons', async () => {
    for (const accept of ['application/json', '*/*', 'text/html;q=0.5, application/json', 'application/json, text/html']) {
      const shown = await call<Record<string, unknown>>(api, 'GET', step.rejectPath, { headers: { accept } });
      expectJson(shown, 200);
      expect(shown.body).toMatchObject({
        requestId: step.request.id,
        contractTitle: step.contractTitle,
        customerName: step.customerName,
        level: 2,
        levelName: 'Finance',
        escalated: false,
        reasons: ['total 60000.00 EUR ≥ 50000.00'],
        decision: 'reject',
        approver: 'fiona',
        status: 'pending',
        total: { amount: 60_000_00, currency: 'EUR' },
      });
    }
  });

  it('POST as a form: a rejection without a comment is a 400 page that says why and shows the form again; a blank one too', async () => {
    const submissions: Array<Record<string, string>> = [{ decision: 'reject' }, { decision: 'reject', comment: '   ' }, {}];
    for (const fields of submissions) {
      const page = expectPage(await submitForm(step.rejectPath, fields), 400);
      expect(page).toContain('<p class="problem" id="problem" role="alert">A rejection needs a comment (the reason)</p>');
      expect(page).toContain('<form method="post">');
      expect(page).toContain('<dd id="customer">Müller &amp; Söhne &lt;b&gt;GmbH&lt;/b&gt; &quot;Nord&quot;</dd>');
    }
    // The same refusal for an API client, as problem+json naming the field.
    const json = await call<{ errors: Array<{ path: string }> }>(api, 'POST', step.rejectPath, { body: {} });
    expectJson(json, 400, 'application/problem+json');
    expect(json.body.errors.map((error) => error.path)).toEqual(['body.comment']);
    // And as a form asking for JSON.
    expectJson(await submitForm(step.rejectPath, { decision: 'reject' }, 'application/json'), 400, 'application/problem+json');
  });

  it('POST as a form: a decision other than the link\'s is a 400 page; what was typed stays in the form', async () => {
    const page = expectPage(await submitForm(step.rejectPath, { decision: 'approve', comment: 'Looks <fine>' }), 400);
    expect(page).toContain('This link can only reject; the link to approve is a separate one');
    expect(page).toMatch(/<textarea id="comment" name="comment"[^>]*>Looks &lt;fine&gt;<\/textarea>/);
  });

  it('an invalid link is a 403 page, a malformed one a 400 page; JSON for an API client', async () => {
    expect(expectPage(await browse(forged(step.rejectPath)), 403)).toContain('This approval link is not valid');
    expect(expectPage(await submitForm(forged(step.rejectPath), { comment: 'No' }), 403)).toContain('<h1>Forbidden</h1>');
    expectJson(await call(api, 'POST', forged(step.rejectPath), { body: { comment: 'No' } }), 403, 'application/problem+json');
    const malformed = expectPage(await browse('/approval-links/not-a-token-at-all-really'), 400);
    expect(malformed).toContain('<code>path.token</code>: Must be an approval link token');
  });

  it('a body that is neither JSON nor a form is a 415 naming both; a form field the link does not take is a 400 naming it', async () => {
    const plain = await call<{ detail: string }>(api, 'POST', step.rejectPath, { rawBody: 'comment=No', headers: { 'content-type': 'text/plain' } });
    expectJson(plain, 415, 'application/problem+json');
    expect(plain.body.detail).toBe('Send the body as application/json or application/x-www-form-urlencoded');
    const unknown = await submitForm(step.rejectPath, { comment: 'No', surprise: 'x' }, 'application/json');
    expectJson(unknown, 400, 'application/problem+json');
    expect((unknown.body as unknown as { errors: Array<{ path: string }> }).errors.map((error) => error.path)).toEqual(['body.surprise']);
    expect(expectPage(await submitForm(step.rejectPath, { comment: 'No', surprise: 'x' }), 400)).toContain('<code>body.surprise</code>: Unknown field');
  });

  it('POST as a form with a comment: the confirmation page, the decision on the trail; the link is then spent (410 page)', async () => {
    const page = expectPage(await submitForm(step.rejectPath, { decision: 'reject', comment: 'Payment terms <90 days> are not acceptable' }), 200);
    expect(page).toContain('<h1>Contract rejected</h1>');
    expect(page).toContain('<dd id="comment">Payment terms &lt;90 days&gt; are not acceptable</dd>');
    expect(page).toContain('<dd id="level">2 · Finance</dd>');

    const trail = await approvalTrail(api, step.tokens.rep, step.contractId);
    expect(trail.requests.find((r) => r.id === step.request.id)).toMatchObject({
      status: 'rejected',
      decision: 'reject',
      decidedBy: 'fiona',
      via: 'link',
      comment: 'Payment terms <90 days> are not acceptable',
    });

    expect(expectPage(await submitForm(step.rejectPath, { comment: 'Again' }), 410)).toContain('This link has been used: the request is decided');
    expect(expectPage(await submitForm(step.approvePath, {}), 410)).toContain('<h1>Gone</h1>');
    expectJson(await call(api, 'POST', step.approvePath, { body: {} }), 410, 'application/problem+json');
    // Opening it again shows what happened, without a form.
    const spent = expectPage(await browse(step.rejectPath), 200);
    expect(spent).toContain('<h1>Nothing left to decide</h1>');
    expect(spent).toContain('This step has been rejected already.');
    expect(spent).not.toContain('<form');
  });
});

describe('approval links for an API client', () => {
  it('a form post that asks for JSON is answered in JSON; a bare POST decides as before', async () => {
    const step = await pendingStepWithLinks(api, { name: 'link-json', customerName: 'Initech', contractTitle: 'Initech licences', amount: 5_000_00 });
    const decided = await submitForm(step.approvePath, { decision: 'approve', comment: 'Standard terms' }, 'application/json');
    expectJson(decided, 200);
    expect(decided.body as unknown).toMatchObject({ id: step.request.id, status: 'approved', decidedBy: 'alice', via: 'link', comment: 'Standard terms' });

    const other = await pendingStepWithLinks(api, { name: 'link-bare', customerName: 'Hooli', contractTitle: 'Hooli pilot', amount: 5_000_00 });
    const bare = await call(api, 'POST', other.approvePath);
    expectJson(bare, 200);
    expect(bare.body).toMatchObject({ status: 'approved', via: 'link' });
  });
});
