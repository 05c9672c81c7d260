/**
 * The weekly review of a team as one self-contained HTML page, ready to mail or to open (`GET
 * /reviews/{id}/document`): the headline figures against last week and against target, the funnel and the
 * attainment as charts (SVG inline, rendered by charts.ts), the stuck deals, the overdue tasks and the forecast
 * against target. Pure: a function of the review, so the same review always gives the same page (byte for byte).
 *
 * Like the approval pages (domain/shared/html.ts says why they are not LiquidJS templates), every value goes
 * through the escaping `html` tag; the only markup taken as is are the charts, which charts.ts checks
 * (`safeSvg`). No script, no external asset (one inline style sheet), no referrer. Figures in English; money in
 * integer minor units, formatted with its currency.
 */
import { html, Markup } from '../shared/html';
import type { StoredMoney } from '../shared/money';
import { type AttainmentChartRow, type FunnelChartStage, renderAttainmentChart, renderFunnelChart } from './charts';
import { formatCount, formatMoney, formatPercent, formatPoints } from './format';

/** How a KPI's numbers read: money in minor units of the review's currency, a count, a ratio (0.4 = 40 %), or days. */
export type KpiUnit = 'money' | 'count' | 'ratio' | 'days';

export interface ReviewKpiRow {
  metric: string;
  label: string;
  unit: KpiUnit;
  value: number;
  /** Last week's value; null when there is none. */
  previous: number | null;
  /** value − previous, in the same unit (a ratio's delta is in ratio points: 0.05 = +5 pts). */
  delta: number | null;
  target: number | null;
  /** value ÷ target as a ratio (0.8 = 80 %); null without a target. */
  attainment: number | null;
}

export interface ReviewStuckDeal {
  opportunityId: string;
  name: string;
  owner: string;
  stage: string;
  daysInStage: number;
  /** `over_p90`: in its stage longer than 90 % of the deals that passed it; `stale`: no activity for too long. */
  reason: 'over_p90' | 'stale';
  /** In the deal's own currency. */
  amount: StoredMoney;
}

export interface ReviewOverdueTask {
  taskId: string;
  title: string;
  assignee: string;
  /** YYYY-MM-DD. */
  dueDate: string;
}

/** The team's forecast for the period it is made for (money in minor units of the review's currency). */
export interface ReviewForecast {
  /** The period forecast, e.g. `FY2027-Q1`. */
  period?: string;
  commit: number;
  bestCase: number;
  closedWon: number;
  target: number | null;
  /** closedWon ÷ target as a ratio; null without a target. */
  attainment: number | null;
}

export interface ReviewDocumentInput {
  team: { id: string; name: string; manager: string };
  /** The ISO week reviewed, e.g. `2027-W11`, with its first and last local dates (YYYY-MM-DD, both inclusive). */
  week: { id: string; start: string; end: string };
  /** ISO 8601 UTC. */
  generatedAt: string;
  /** The base currency: every money figure but a deal's amount is in it. */
  currency: string;
  kpis: ReviewKpiRow[];
  funnel: FunnelChartStage[];
  attainment: AttainmentChartRow[];
  stuckDeals: ReviewStuckDeal[];
  overdueTasks: ReviewOverdueTask[];
  /** Null when the team has no forecast for the period. */
  forecast: ReviewForecast | null;
}

const REASONS: Record<ReviewStuckDeal['reason'], string> = {
  over_p90: 'in stage longer than 90% of deals',
  stale: 'no recent activity',
};

/** The review as a complete HTML page (see the module's comment). */
export async function renderReviewDocument(review: ReviewDocumentInput): Promise<string> {
  const [funnel, attainment] = await Promise.all([
    review.funnel.length > 0 ? renderFunnelChart(review.funnel) : undefined,
    review.attainment.length > 0 ? renderAttainmentChart(review.attainment) : undefined,
  ]);
  const title = `Weekly review: ${review.team.name}, ${review.week.id}`;
  const body = html`<h1>Weekly review: ${review.team.name}</h1>
<p class="meta" id="summary">Week ${review.week.id} (${review.week.start} to ${review.week.end}) · Manager: ${review.team.manager} · Figures in ${review.currency} · Made ${when(review.generatedAt)}</p>
<section id="headline"><h2>Headline figures</h2>
${review.kpis.length > 0 ? kpiTable(review) : html`<p class="empty">No figures this week.</p>`}
</section>
<section id="funnel"><h2>Funnel</h2>
${funnel !== undefined ? chart(funnel, 'Opportunities that entered each stage, with the conversion to the next stage.') : html`<p class="empty">No opportunities in the funnel this week.</p>`}
</section>
<section id="attainment"><h2>Attainment</h2>
${attainment !== undefined ? chart(attainment, 'Actual against target (grey bar: the target; green once it is met).') : html`<p class="empty">No targets to measure this week.</p>`}
</section>
<section id="stuck-deals"><h2>Stuck deals</h2>
${review.stuckDeals.length > 0 ? stuckDeals(review.stuckDeals) : html`<p class="empty">No stuck deals this week.</p>`}
</section>
<section id="overdue-tasks"><h2>Overdue tasks</h2>
${review.overdueTasks.length > 0 ? overdueTasks(review.overdueTasks) : html`<p class="empty">No overdue tasks this week.</p>`}
</section>
<section id="forecast"><h2>Forecast against target</h2>
${review.forecast !== null ? forecast(review.forecast, review.currency) : html`<p class="empty">No forecast for this period.</p>`}
</section>`;
  return page(title, body);
}

function kpiTable(review: ReviewDocumentInput): Markup {
  const rows = review.kpis.map((kpi) => {
    const figure = (value: number | null) => (value === null ? '—' : kpiValue(kpi.unit, value, review.currency));
    // Coloured by direction, except durations (a longer sales cycle going up is no good news).
    const trend = kpi.delta === null || kpi.delta === 0 || kpi.unit === 'days' ? '' : kpi.delta > 0 ? 'up' : 'down';
    return html`<tr data-metric="${kpi.metric}"><th scope="row">${kpi.label}</th><td>${figure(kpi.value)}</td><td>${figure(kpi.previous)}</td><td${trend && html` class="${trend}"`}>${kpi.delta === null ? '—' : kpiDelta(kpi.unit, kpi.delta, review.currency)}</td><td>${figure(kpi.target)}</td><td>${kpi.attainment === null ? '—' : formatPercent(kpi.attainment)}</td></tr>`;
  });
  return html`<table><thead><tr><th scope="col">Figure</th><th scope="col">This week</th><th scope="col">Last week</th><th scope="col">Change</th><th scope="col">Target</th><th scope="col">Attainment</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function kpiValue(unit: KpiUnit, value: number, currency: string): string {
  switch (unit) {
    case 'money':
      return formatMoney(value, currency);
    case 'ratio':
      return formatPercent(value);
    case 'days':
      return `${formatCount(value)} ${value === 1 ? 'day' : 'days'}`;
    case 'count':
      return formatCount(value);
  }
}

function kpiDelta(unit: KpiUnit, delta: number, currency: string): string {
  switch (unit) {
    case 'money':
      return formatMoney(delta, currency, { signed: true });
    case 'ratio':
      return formatPoints(delta);
    case 'days':
      return `${formatCount(delta, { signed: true })} ${Math.abs(delta) === 1 ? 'day' : 'days'}`;
    case 'count':
      return formatCount(delta, { signed: true });
  }
}

/** A chart with its caption: the SVG goes in as markup, as charts.ts returned it (checked there by `safeSvg`). */
function chart(svg: string, caption: string): Markup {
  return html`<figure>${new Markup(svg)}<figcaption>${caption}</figcaption></figure>`;
}

function stuckDeals(deals: ReviewStuckDeal[]): Markup {
  const rows = deals.map(
    (deal) =>
      html`<tr data-opportunity="${deal.opportunityId}"><th scope="row">${deal.name}</th><td>${deal.owner}</td><td>${deal.stage}</td><td>${formatCount(deal.daysInStage)}</td><td>${REASONS[deal.reason]}</td><td>${formatMoney(deal.amount.amount, deal.amount.currency)}</td></tr>`,
  );
  return html`<table><thead><tr><th scope="col">Deal</th><th scope="col">Owner</th><th scope="col">Stage</th><th scope="col">Days in stage</th><th scope="col">Why</th><th scope="col">Amount</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function overdueTasks(tasks: ReviewOverdueTask[]): Markup {
  const rows = tasks.map((task) => html`<tr data-task="${task.taskId}"><th scope="row">${task.title}</th><td>${task.assignee}</td><td>${task.dueDate}</td></tr>`);
  return html`<table><thead><tr><th scope="col">Task</th><th scope="col">Assignee</th><th scope="col">Due</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function forecast(value: ReviewForecast, currency: string): Markup {
  const money = (amount: number | null) => (amount === null ? 'no target' : formatMoney(amount, currency));
  return html`${value.period !== undefined && html`<p class="meta">For ${value.period}.</p>`}
<dl>
<dt>Closed won</dt><dd id="forecast-closed-won">${money(value.closedWon)}</dd>
<dt>Commit</dt><dd id="forecast-commit">${money(value.commit)}</dd>
<dt>Best case</dt><dd id="forecast-best-case">${money(value.bestCase)}</dd>
<dt>Target</dt><dd id="forecast-target">${money(value.target)}</dd>
<dt>Attainment</dt><dd id="forecast-attainment">${value.attainment === null ? '—' : formatPercent(value.attainment)}</dd>
</dl>`;
}

/** An ISO timestamp as a person reads it: `2027-03-22 07:00 UTC`. */
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const STYLE = `body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#222;background:#f6f6f4}
main{max-width:48rem;margin:1.5rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #ddd;border-radius:6px}
h1{font-size:1.4rem;margin:0 0 .4rem}h2{font-size:1.1rem;margin:1.6rem 0 .6rem;border-bottom:1px solid #eee;padding-bottom:.3rem}
.meta{color:#666;font-size:.9rem;margin:0 0 .6rem}.empty{color:#666;font-style:italic}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
thead th{color:#666;font-weight:normal;border-bottom:1px solid #ccc}td.up{color:#1f7a3a}td.down{color:#a32626}
figure{margin:0}figure svg{max-width:100%;height:auto}figcaption{color:#666;font-size:.85rem;margin-top:.3rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}dt{color:#666}dd{margin:0}`;

function page(title: string, body: Markup): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${title}</title><style>${new Markup(STYLE)}</style></head>
<body><main>
${body}
</main></body></html>
`.value;
}
