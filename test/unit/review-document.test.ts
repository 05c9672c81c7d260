/**
 * The weekly review document (domain/analytics/review-document.ts) and its charts (charts.ts, Vega-Lite rendered
 * to SVG on the server): what the charts draw and label, that they are the same for the same input, that they
 * carry nothing unsafe to inline, and that the page escapes every value and words its empty sections.
 */
import { describe, expect, it } from 'vitest';
import {
  type AttainmentChartRow,
  type FunnelChartStage,
  renderAttainmentChart,
  renderFunnelChart,
  renderReviewDocument,
  type ReviewDocumentInput,
} from '../../domain/analytics';
import { safeSvg } from '../../domain/analytics/charts';
import { formatMoney, formatPercent, formatPoints, minorToDecimal } from '../../domain/analytics/format';

const HOSTILE = `<script>alert("x")</script> & 'q' <img src=x onerror=alert(1)>`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &lt;img src=x onerror=alert(1)&gt;';
const SVG_NS = 'xmlns="http://www.w3.org/2000/svg"';

const FUNNEL: FunnelChartStage[] = [
  { stage: 'lead', name: 'Lead identified', entered: 120, conversionToNext: 0.6667 },
  { stage: 'contacted', name: 'Contacted', entered: 80, conversionToNext: 0.5 },
  { stage: 'needs_analysis', name: 'Needs analysis', entered: 40, conversionToNext: 0.625 },
  { stage: 'quote', name: 'Quote', entered: 25, conversionToNext: 0.64 },
  { stage: 'negotiation', name: 'Contract / negotiation', entered: 16, conversionToNext: 0.75 },
  { stage: 'won', name: 'Won', entered: 12, conversionToNext: null },
];

const ATTAINMENT: AttainmentChartRow[] = [
  { label: 'Revenue won', actual: 3200000, target: 4000000, unit: 'money', currency: 'EUR' },
  { label: 'Deals won', actual: 12, target: 10, unit: 'count' },
  { label: 'Rita (yen)', actual: 1500000, target: 1000000, unit: 'money', currency: 'JPY' },
  { label: 'Activities', actual: 40, target: null, unit: 'count' },
];

function review(overrides: Partial<ReviewDocumentInput> = {}): ReviewDocumentInput {
  return {
    team: { id: 'east', name: 'East', manager: 'mia' },
    week: { id: '2027-W11', start: '2027-03-15', end: '2027-03-21' },
    generatedAt: '2027-03-22T06:00:03.000Z',
    currency: 'EUR',
    kpis: [
      { metric: 'revenue_won', label: 'Revenue won', unit: 'money', value: 3200000, previous: 2000000, delta: 1200000, target: 4000000, attainment: 0.8 },
      { metric: 'deals_won', label: 'Deals won', unit: 'count', value: 7, previous: 9, delta: -2, target: 10, attainment: 0.7 },
      { metric: 'win_rate', label: 'Win rate', unit: 'ratio', value: 0.4375, previous: 0.5, delta: -0.0625, target: null, attainment: null },
      { metric: 'sales_cycle_days', label: 'Sales cycle (median)', unit: 'days', value: 23, previous: null, delta: null, target: null, attainment: null },
    ],
    funnel: FUNNEL,
    attainment: ATTAINMENT,
    stuckDeals: [
      { opportunityId: '01JOPP0001', name: 'ACME renewal', owner: 'rita', stage: 'Quote', daysInStage: 41, reason: 'over_p90', amount: { amount: 1250000, currency: 'USD' } },
      { opportunityId: '01JOPP0002', name: 'Globex pilot', owner: 'sam', stage: 'Contacted', daysInStage: 30, reason: 'stale', amount: { amount: 99900, currency: 'EUR' } },
    ],
    overdueTasks: [{ taskId: '01JTASK001', title: 'Call back ACME', assignee: 'rita', dueDate: '2027-03-18' }],
    forecast: { period: 'FY2027-Q1', commit: 9000000, bestCase: 12000000, closedWon: 6000000, target: 15000000, attainment: 0.4 },
    ...overrides,
  };
}

interface SvgText {
  text: string;
  x: number;
  y: number;
  visible: boolean;
}

const decode = (text: string) =>
  text.replace(/&(lt|gt|quot|#39|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name] as string);

/** The text elements of an SVG, with their position (Vega places each by `transform="translate(x,y)"`). */
function texts(svg: string): SvgText[] {
  return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map(([, attributes = '', text = '']) => {
    const [, x = 'NaN', y = 'NaN'] = /translate\(([-\d.]+),([-\d.]+)\)/.exec(attributes) ?? [];
    return { text: decode(text), x: Number(x), y: Number(y), visible: !attributes.includes('opacity="0"') };
  });
}
const visibleTexts = (svg: string) => texts(svg).filter((item) => item.visible).map((item) => item.text);

/** The widths of the bars of one layer (Vega writes a bar as `d="M x,y h width v height h -width Z"`). */
function barWidths(svg: string, layer: number): number[] {
  const marks = new RegExp(`<g class="mark-rect role-mark layer_${layer}_marks"[^>]*>(.*?)</g>`).exec(svg)?.[1] ?? '';
  return [...marks.matchAll(/d="M[-\d.]+,[-\d.]+h([-\d.]+)v/g)].map(([, width]) => Number(width));
}

/** What must never be in markup inlined in a page: scripts, handlers, links, other documents, URLs but the namespace. */
function expectNothingUnsafe(markup: string) {
  expect(markup).not.toMatch(/<script|<iframe|<object|<embed|<foreignObject|<image|<a[\s>]/i);
  expect(markup).not.toMatch(/\shref=|\ssrc=|xlink:|\son[a-z]+=|url\(/i);
  expect(markup.replaceAll(SVG_NS, '')).not.toMatch(/https?:|\/\//i);
}

describe('the funnel chart', () => {
  it('draws a bar per stage, in stage order, as long as its count, labelled with the count and the conversion', async () => {
    const warnings: string[] = [];
    const svg = await renderFunnelChart(FUNNEL, { onWarning: (message) => warnings.push(message) });

    expect(svg.startsWith(`<svg ${SVG_NS}`)).toBe(true);
    expect(warnings).toEqual([]);
    const labels = ['120 · 67% to next', '80 · 50% to next', '40 · 63% to next', '25 · 64% to next', '16 · 75% to next', '12'];
    const all = texts(svg);
    const labelRows = labels.map((label) => all.find((item) => item.text === label));
    expect(labelRows.every((item) => item?.visible)).toBe(true);
    const stageRows = FUNNEL.map((stage) => all.find((item) => item.text === stage.name));
    expect(stageRows.every((item) => item?.visible)).toBe(true);
    // Top to bottom in the order given, each count on its stage's row.
    const ys = stageRows.map((item) => item?.y as number);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    expect(new Set(ys).size).toBe(FUNNEL.length);
    labelRows.forEach((item, index) => expect(Math.abs((item?.y as number) - ys[index]!)).toBeLessThan(13));
    // Bar lengths in proportion to the counts (the longest fills the plot).
    const widths = barWidths(svg, 0);
    expect(widths).toHaveLength(FUNNEL.length);
    widths.forEach((width, index) => expect(width / widths[0]!).toBeCloseTo(FUNNEL[index]!.entered / FUNNEL[0]!.entered, 5));
    expectNothingUnsafe(svg);
  });

  it('keeps two stages of the same name apart', async () => {
    const svg = await renderFunnelChart([
      { stage: 'a', name: 'Review', entered: 5, conversionToNext: 0.4 },
      { stage: 'b', name: 'Review', entered: 2, conversionToNext: null },
    ]);
    expect(visibleTexts(svg)).toEqual(expect.arrayContaining(['Review', 'Review (2)', '5 · 40% to next', '2']));
    expect(barWidths(svg, 0)).toHaveLength(2);
  });

  it('renders an empty funnel, or one where nobody entered, without a warning', async () => {
    const warnings: string[] = [];
    const onWarning = (message: string) => warnings.push(message);
    expect(await renderFunnelChart([], { onWarning })).toMatch(/^<svg [^>]*>.*<\/svg>$/s);
    const nobody = await renderFunnelChart([{ stage: 'lead', name: 'Lead identified', entered: 0, conversionToNext: null }], { onWarning });
    expect(visibleTexts(nobody)).toEqual(expect.arrayContaining(['Lead identified', '0']));
    expect(warnings).toEqual([]);
  });
});

describe('the attainment chart', () => {
  it('draws actual against target per row, labelled with both figures and the attainment, money in its currency', async () => {
    const warnings: string[] = [];
    const svg = await renderAttainmentChart(ATTAINMENT, { onWarning: (message) => warnings.push(message) });

    expect(warnings).toEqual([]);
    expect(visibleTexts(svg)).toEqual(
      expect.arrayContaining(['Revenue won', 'Deals won', 'Rita (yen)', 'Activities', '€32,000.00 of €40,000.00 · 80%', '12 of 10 · 120%', '¥1,500,000 of ¥1,000,000 · 150%', '40 · no target']),
    );
    // Layer 0: the targets (one per row that has one, all at 100 %); layer 1: the actuals, as a share of them.
    const targets = barWidths(svg, 0);
    expect(targets).toHaveLength(3);
    expect(new Set(targets).size).toBe(1);
    const actuals = barWidths(svg, 1);
    expect(actuals.map((width) => width / targets[0]!)).toEqual([0.8, 1.2, 1.5].map((share) => expect.closeTo(share, 5)));
    // Green once the target is met.
    const fills = [...(/layer_1_marks"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '').matchAll(/fill="([^"]+)"/g)].map(([, fill]) => fill);
    expect(fills).toEqual(['#4c78a8', '#2e7d32', '#2e7d32']);
    expectNothingUnsafe(svg);
  });

  it('says "no target" for a zero target instead of dividing by it, and needs no target to draw', async () => {
    const warnings: string[] = [];
    const svg = await renderAttainmentChart([{ label: 'New customers', actual: 3, target: 0, unit: 'count' }], { onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual([]);
    expect(visibleTexts(svg)).toContain('3 · no target');
    expect(barWidths(svg, 1)).toEqual([]);
  });

  it('escapes a hostile label, and the result still passes the inline check', async () => {
    const svg = await renderAttainmentChart([{ label: HOSTILE, actual: 1, target: 2, unit: 'count' }]);
    expect(svg).not.toMatch(/<script|<img/i);
    expect(svg).toContain('&lt;script&gt;');
    expect(safeSvg(svg)).toBe(svg);
  });
});

describe('charts are deterministic', () => {
  it('gives the same string for the same input, rendered one after the other or at once', async () => {
    const first = await renderFunnelChart(FUNNEL);
    const [second, attainment, third, attainmentAgain] = await Promise.all([
      renderFunnelChart(structuredClone(FUNNEL)),
      renderAttainmentChart(ATTAINMENT),
      renderFunnelChart(FUNNEL),
      renderAttainmentChart(structuredClone(ATTAINMENT)),
    ]);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(attainmentAgain).toBe(attainment);
    expect(await renderFunnelChart(FUNNEL.slice(0, 5))).not.toBe(first);
  });
});

describe('safeSvg', () => {
  const svg = (inner: string) => `<svg ${SVG_NS} width="10" height="10">${inner}</svg>`;

  it('passes plain marks and text, and drops the unused xlink namespace', () => {
    const plain = svg('<g transform="translate(1,2)"><path d="M0,0h5v5h-5Z" fill="#4c78a8"/><text aria-label="a &lt;b&gt; https://x">1 &lt; 2</text></g>');
    expect(safeSvg(plain)).toBe(plain);
    expect(safeSvg(plain.replace(SVG_NS, `${SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink"`))).toBe(plain);
  });

  it.each([
    ['a script', svg('<script>alert(1)</script>')],
    ['a link', svg('<a href="https://example.com"><text>x</text></a>')],
    ['an href on a mark', svg('<path href="https://example.com" d="M0,0"/>')],
    ['an xlink reference', svg('<path xlink:href="#x" d="M0,0"/>')],
    ['an event handler', svg('<path onload="alert(1)" d="M0,0"/>')],
    ['an external url in a style attribute', svg('<path fill="url(https://example.com/x.svg#p)" d="M0,0"/>')],
    ['an image', svg('<image width="1" height="1"/>')],
    ['a foreign object', svg('<foreignObject><div>x</div></foreignObject>')],
    ['markup that is not a well-formed tag', svg('<text>x</text><scr ipt>')],
    ['something other than one svg element', '<div></div>'],
  ])('refuses %s', (_what, markup) => {
    expect(() => safeSvg(markup)).toThrow(/not safe to inline/);
  });
});

describe('figures', () => {
  it.each([
    [123456, 'EUR', '€1,234.56'],
    [5, 'EUR', '€0.05'],
    [-99900, 'USD', '-$999.00'],
    [1234, 'JPY', '¥1,234'],
    // ICU puts a no-break space after a currency code.
    [1234, 'BHD', 'BHD\u00a01.234'],
    // Past 2^53 minor units? No: the largest safe integer, exactly (no float on the way).
    [9007199254740991, 'EUR', '€90,071,992,547,409.91'],
  ])('%i minor units of %s read %s', (amount, currency, text) => {
    expect(formatMoney(amount, currency)).toBe(text);
  });

  it('signs a change, and refuses money that is not integer minor units', () => {
    expect(formatMoney(1200000, 'EUR', { signed: true })).toBe('+€12,000.00');
    expect(formatMoney(-30000, 'EUR', { signed: true })).toBe('-€300.00');
    expect(formatMoney(0, 'EUR', { signed: true })).toBe('€0.00');
    expect(formatMoney(123456, undefined)).toBe('1,234.56');
    expect(() => minorToDecimal(12.5, 2)).toThrow(RangeError);
    expect(formatPercent(0.6667)).toBe('67%');
    expect(formatPoints(-0.0625)).toBe('-6.2 pts');
  });
});

describe('the review document', () => {
  it('is a complete page with every section, both charts inline, and the figures formatted', async () => {
    const page = await renderReviewDocument(review());

    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain('<title>Weekly review: East, 2027-W11</title>');
    expect(page).toContain('Week 2027-W11 (2027-03-15 to 2027-03-21) · Manager: mia · Figures in EUR · Made 2027-03-22 06:00 UTC');
    for (const id of ['headline', 'funnel', 'attainment', 'stuck-deals', 'overdue-tasks', 'forecast']) expect(page).toContain(`<section id="${id}">`);
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(page).toContain('120 · 67% to next</text>');
    expect(page).toContain('€32,000.00 of €40,000.00 · 80%</text>');
    expect(page).toContain(
      '<tr data-metric="revenue_won"><th scope="row">Revenue won</th><td>€32,000.00</td><td>€20,000.00</td><td class="up">+€12,000.00</td><td>€40,000.00</td><td>80%</td></tr>',
    );
    expect(page).toContain('<tr data-metric="deals_won"><th scope="row">Deals won</th><td>7</td><td>9</td><td class="down">-2</td><td>10</td><td>70%</td></tr>');
    expect(page).toContain('<td>44%</td><td>50%</td><td class="down">-6.2 pts</td><td>—</td><td>—</td>');
    expect(page).toContain('<td>23 days</td><td>—</td><td>—</td>');
    expect(page).toContain(
      '<tr data-opportunity="01JOPP0001"><th scope="row">ACME renewal</th><td>rita</td><td>Quote</td><td>41</td><td>in stage longer than 90% of deals</td><td>$12,500.00</td></tr>',
    );
    expect(page).toContain('<td>no recent activity</td><td>€999.00</td>');
    expect(page).toContain('<tr data-task="01JTASK001"><th scope="row">Call back ACME</th><td>rita</td><td>2027-03-18</td></tr>');
    expect(page).toContain('<p class="meta">For FY2027-Q1.</p>');
    expect(page).toContain('<dd id="forecast-closed-won">€60,000.00</dd>');
    expect(page).toContain('<dd id="forecast-target">€150,000.00</dd>');
    expect(page).toContain('<dd id="forecast-attainment">40%</dd>');
    expect(page).not.toMatch(/class="empty"/);
    expectNothingUnsafe(page);
  });

  it('is the same page for the same review', async () => {
    const [first, second] = await Promise.all([renderReviewDocument(review()), renderReviewDocument(structuredClone(review()))]);
    expect(second).toBe(first);
    expect(await renderReviewDocument(review({ generatedAt: '2027-03-22T07:00:00.000Z' }))).not.toBe(first);
  });

  it('escapes hostile names wherever they appear', async () => {
    const page = await renderReviewDocument(
      review({
        team: { id: 'east', name: HOSTILE, manager: HOSTILE },
        kpis: [{ metric: HOSTILE, label: HOSTILE, unit: 'count', value: 1, previous: 0, delta: 1, target: null, attainment: null }],
        stuckDeals: [{ opportunityId: HOSTILE, name: HOSTILE, owner: HOSTILE, stage: HOSTILE, daysInStage: 3, reason: 'stale', amount: { amount: 100, currency: 'EUR' } }],
        overdueTasks: [{ taskId: HOSTILE, title: HOSTILE, assignee: HOSTILE, dueDate: '2027-03-01' }],
        funnel: [{ stage: HOSTILE, name: HOSTILE, entered: 3, conversionToNext: null }],
        attainment: [{ label: HOSTILE, actual: 1, target: 2, unit: 'count' }],
        forecast: { period: HOSTILE, commit: 0, bestCase: 0, closedWon: 0, target: null, attainment: null },
      }),
    );

    expect(page).toContain(`<title>Weekly review: ${ESCAPED}, 2027-W11</title>`);
    expect(page).toContain(`<h1>Weekly review: ${ESCAPED}</h1>`);
    expect(page).toContain(`Manager: ${ESCAPED}`);
    expect(page).toContain(`<tr data-metric="${ESCAPED}"><th scope="row">${ESCAPED}</th>`);
    expect(page).toContain(`<tr data-opportunity="${ESCAPED}"><th scope="row">${ESCAPED}</th><td>${ESCAPED}</td><td>${ESCAPED}</td>`);
    expect(page).toContain(`<tr data-task="${ESCAPED}"><th scope="row">${ESCAPED}</th><td>${ESCAPED}</td>`);
    expect(page).toContain(`For ${ESCAPED}.`);
    expect(page).toContain('<dd id="forecast-target">no target</dd>');
    expect(page).not.toMatch(/<script|<img/i);
  });

  it('says so in words when a section has nothing', async () => {
    const page = await renderReviewDocument(review({ kpis: [], funnel: [], attainment: [], stuckDeals: [], overdueTasks: [], forecast: null }));

    expect(page).toContain('<section id="headline"><h2>Headline figures</h2>\n<p class="empty">No figures this week.</p>');
    expect(page).toContain('<p class="empty">No opportunities in the funnel this week.</p>');
    expect(page).toContain('<p class="empty">No targets to measure this week.</p>');
    expect(page).toContain('<p class="empty">No stuck deals this week.</p>');
    expect(page).toContain('<p class="empty">No overdue tasks this week.</p>');
    expect(page).toContain('<p class="empty">No forecast for this period.</p>');
    expect(page).not.toMatch(/<svg|<table/);
    expectNothingUnsafe(page);
  });
});
