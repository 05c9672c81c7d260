/**
 * An approval link in a real browser: Debian's Chromium (/usr/bin/chromium, installed by `.ci/run` when missing),
 * driven by playwright-core, against the test API. Finance opens the reject link of a pending step, reads the page
 * (contract, customer, total, level, why it needs approval), rejects without a comment and is told why, then opens
 * the approve link and approves with a comment; the decision is on the contract's approval trail. The page must
 * work under its own Content-Security-Policy (no console error, no request beyond the API's own pages).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalTrail, pendingStepWithLinks } from '../support/approval-links';
import { eventually } from '../support/eventually';
import { call, startTestApi, type TestApi } from '../support/local-api';

const CHROMIUM = '/usr/bin/chromium';
/** As the machines' notes say: without the background-networking flags Chromium keeps calling out of a closed network. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

/** Chromium on a fresh, empty profile, headless; closed and its profile removed by `close`. */
async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it when missing)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'salesflow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Clicks a button that submits the page's form and waits for the page it gets back. */
async function submit(page: Page, button: string): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.request().method() === 'POST' && candidate.request().isNavigationRequest()),
    page.getByRole('button', { name: button }).click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent())?.trim();

describe('an approval link in Chromium', () => {
  it('finance opens the reject link, reads it, is told a rejection needs a reason, then approves by the approve link with a comment', async () => {
    const step = await pendingStepWithLinks(api, {
      name: 'browser',
      customerName: 'Müller & Söhne <GmbH>',
      contractTitle: 'Globex platform renewal',
      amount: 60_000_00,
      level: 2,
    });
    const browser = await launchChromium();
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      const problems: string[] = [];
      const foreign: string[] = [];
      // Chromium logs each error status it receives (the 400 page below is one, on purpose); anything else, such as
      // a refusal by the Content-Security-Policy, is a problem of the page.
      page.on('console', (message) => message.type() === 'error' && !/status of 400 \(Bad Request\)/.test(message.text()) && problems.push(message.text()));
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => !request.url().startsWith(`${api.baseUrl}/approval-links/`) && foreign.push(request.url()));

      // Open the reject link: the page says what is decided and why, and changes nothing.
      const opened = await page.goto(step.links.rejectUrl);
      expect(opened?.status()).toBe(200);
      expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
      expect(await page.title()).toBe('Reject: Globex platform renewal');
      expect(await text(page, 'h1')).toBe('Reject this contract?');
      expect(await text(page, '#contract')).toBe('Globex platform renewal');
      expect(await text(page, '#customer')).toBe('Müller & Söhne <GmbH>');
      expect(await text(page, '#total')).toBe('60,000.00 EUR');
      expect(await text(page, '#level')).toBe('2 · Finance');
      expect(await page.locator('#reasons li').allTextContents()).toEqual(['total 60000.00 EUR ≥ 50000.00']);

      // Reject without a comment: the same page again, saying why.
      const refused = await submit(page, 'Reject');
      expect(refused.status()).toBe(400);
      expect(await text(page, '#problem')).toBe('A rejection needs a comment (the reason)');
      expect(await page.locator('textarea#comment').isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Reject' }).isVisible()).toBe(true);
      const meanwhile = await approvalTrail(api, step.tokens.rep, step.contractId);
      expect(meanwhile.requests.find((request) => request.id === step.request.id)?.status).toBe('pending');

      // Approve by the approve link, with a comment: the confirmation.
      expect((await page.goto(step.links.approveUrl))?.status()).toBe(200);
      expect(await text(page, 'h1')).toBe('Approve this contract?');
      await page.locator('textarea#comment').fill('Within the finance budget <Q3>');
      const approved = await submit(page, 'Approve');
      expect(approved.status()).toBe(200);
      expect(await text(page, 'h1')).toBe('Contract approved');
      expect(await text(page, '#status')).toMatch(/^Your decision is recorded: approved by fiona at \d{4}-\d\d-\d\d \d\d:\d\d UTC\. It is on the contract's approval trail\.$/);
      expect(await text(page, '#comment')).toBe('Within the finance budget <Q3>');

      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await browser.close();
    }

    // The decision is on the contract's approval trail, and the contract is approved.
    const trail = await approvalTrail(api, step.tokens.rep, step.contractId);
    expect(trail.requests.find((request) => request.id === step.request.id)).toMatchObject({
      level: 2,
      status: 'approved',
      decision: 'approve',
      decidedBy: 'fiona',
      via: 'link',
      comment: 'Within the finance budget <Q3>',
    });
    await eventually(async () => {
      const contract = await call<{ status: string }>(api, 'GET', `/contracts/${step.contractId}`, { token: step.tokens.rep });
      expect(contract.body.status).toBe('approved');
    });
  }, 90_000);
});
