/**
 * The review's charts, drawn by Vega-Lite (compiled to Vega) and rendered to SVG on the server: no browser, no
 * canvas (without the optional `canvas` package Vega estimates text widths from the font size, which is all a
 * static chart needs), no hand-drawn SVG. Pure: the data go into the spec inline, and the view's loader refuses
 * every URL and file, so a chart can never read anything.
 *
 * Vega and Vega-Lite are loaded on the first render (dynamic import, once per process), so a function that never
 * renders a review pays nothing for them at cold start: in the Lambda bundle (one ESM file, no code splitting)
 * their code is present but not evaluated until then.
 *
 * Output is a standalone `<svg …>` string, safe to inline in HTML: Vega escapes text and attributes, the specs
 * use no `href`, image or tooltip channel, and `safeSvg` checks that (no script, no external reference) and drops
 * the unused xlink namespace. The same input gives the same string (no ids, no time, no randomness: tested).
 *
 * Labels are formatted here (formatMoney / formatCount / formatPercent, in English), not by Vega's formats.
 */
import { formatCount, formatMoney, formatPercent } from './format';

/** One stage of a funnel, in pipeline order. `conversionToNext` is a ratio (0.67 = 67 %), null for the last stage. */
export interface FunnelChartStage {
  stage: string;
  name: string;
  entered: number;
  conversionToNext: number | null;
}

/** One bar of the attainment chart: a KPI or a rep. Money in integer minor units of `currency`. */
export interface AttainmentChartRow {
  label: string;
  actual: number;
  target: number | null;
  unit: 'money' | 'count';
  currency?: string;
}

export interface ChartOptions {
  /** Told every warning Vega-Lite or Vega gives while compiling and rendering (by default they are dropped). */
  onWarning?: (message: string) => void;
}

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
type TopLevelSpec = import('vega-lite').TopLevelSpec;
interface Engine {
  vega: Vega;
  vegaLite: VegaLite;
}

let engine: Promise<Engine> | undefined;

/** Vega and Vega-Lite, imported on the first call (a failed import is tried again on the next). */
function loadEngine(): Promise<Engine> {
  engine ??= Promise.all([import('vega'), import('vega-lite')]).then(
    ([vega, vegaLite]) => ({ vega, vegaLite }),
    (error: unknown) => {
      engine = undefined;
      throw error;
    },
  );
  return engine;
}

const FONT = 'Helvetica, Arial, sans-serif';
const BAR = '#4c78a8';
const MET = '#2e7d32';
const TARGET = '#d9d9d9';
const WIDTH = 420;

/** The look shared by both charts (Vega-Lite config). */
const CONFIG = {
  font: FONT,
  background: '#ffffff',
  padding: { left: 4, top: 4, right: 16, bottom: 4 },
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', titleColor: '#555', labelColor: '#333', domainColor: '#999', tickColor: '#999', gridColor: '#eee' },
  axisY: { labelLimit: 200, ticks: false, domain: false },
  text: { fontSize: 11, fill: '#222' },
} as const;

/** A horizontal bar per stage, in the order given: how many entered it, and the conversion to the next stage. */
export async function renderFunnelChart(stages: FunnelChartStage[], options: ChartOptions = {}): Promise<string> {
  const rows = uniqueLabels(stages.map((stage) => stage.name)).map((row, index) => {
    const stage = stages[index] as FunnelChartStage;
    const label =
      stage.conversionToNext === null ? formatCount(stage.entered) : `${formatCount(stage.entered)} · ${formatPercent(stage.conversionToNext)} to next`;
    return { row, entered: stage.entered, label, description: `${row}: ${formatCount(stage.entered)} entered` };
  });
  const spec: TopLevelSpec = {
    description: 'Funnel: opportunities that entered each stage, with the conversion to the next stage',
    width: WIDTH,
    height: { step: 26 },
    data: { values: rows },
    encoding: {
      y: { field: 'row', type: 'nominal', sort: null, title: null },
      x: {
        field: 'entered',
        type: 'quantitative',
        title: 'Entered',
        axis: { format: 'd', tickMinStep: 1, tickCount: 5 },
        // The domain is given (an empty funnel has no extent to take it from), then made round.
        scale: { domain: [0, Math.max(1, ...stages.map((stage) => stage.entered))], nice: true },
      },
      description: { field: 'description' },
    },
    layer: [
      { mark: { type: 'bar', color: BAR, height: { band: 0.7 } } },
      { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4 }, encoding: { text: { field: 'label' } } },
    ],
  };
  return render(spec, options);
}

/**
 * A bullet per KPI or rep, on one scale of attainment (so money and counts can share the chart): the grey bar is
 * the target (100 %), the coloured bar the actual (green once the target is met), labelled with actual, target
 * and attainment. A row without a target (or with a zero target) has no bar, and says so in its label.
 */
export async function renderAttainmentChart(rows: AttainmentChartRow[], options: ChartOptions = {}): Promise<string> {
  const figure = (row: AttainmentChartRow, value: number) => (row.unit === 'money' ? formatMoney(value, row.currency) : formatCount(value));
  const values = uniqueLabels(rows.map((row) => row.label)).map((label, index) => {
    const row = rows[index] as AttainmentChartRow;
    const hasTarget = row.target !== null && row.target > 0;
    const attainment = hasTarget ? row.actual / (row.target as number) : null;
    const text = hasTarget
      ? `${figure(row, row.actual)} of ${figure(row, row.target as number)} · ${formatPercent(attainment as number)}`
      : `${figure(row, row.actual)} · no target`;
    return {
      row: label,
      attainment,
      target: hasTarget ? 1 : null,
      // The label sits after the longer of the two bars.
      labelAt: hasTarget ? Math.max(attainment as number, 1) : 0,
      met: attainment !== null && attainment >= 1,
      text,
      description: `${label}: ${text}`,
    };
  });
  const spec: TopLevelSpec = {
    description: 'Attainment: actual against target per row, as a share of the target',
    width: WIDTH,
    height: { step: 30 },
    data: { values },
    encoding: {
      y: { field: 'row', type: 'nominal', sort: null, title: null },
      description: { field: 'description' },
    },
    layer: [
      {
        mark: { type: 'bar', color: TARGET, height: { band: 0.75 } },
        encoding: {
          x: {
            field: 'target',
            type: 'quantitative',
            title: 'Share of target',
            axis: { format: '.0%', tickCount: 5 },
            // Given (rows without targets have no extent), from 0 to the target or the best attainment, made round.
            scale: { domain: [0, Math.max(1, ...values.map((value) => value.labelAt))], nice: true },
          },
        },
      },
      {
        mark: { type: 'bar', height: { band: 0.4 } },
        encoding: {
          x: { field: 'attainment', type: 'quantitative' },
          color: { condition: { test: 'datum.met', value: MET }, value: BAR },
        },
      },
      { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4 }, encoding: { x: { field: 'labelAt', type: 'quantitative' }, text: { field: 'text' } } },
    ],
  };
  return render(spec, options);
}

/** Labels made unique (a y axis merges equal values): a repeated one gets " (2)", " (3)"… */
function uniqueLabels(labels: string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label} (${count})`;
  });
}

async function render(spec: TopLevelSpec, options: ChartOptions): Promise<string> {
  const { vega, vegaLite } = await loadEngine();
  const warn = options.onWarning;
  const logger = vega.logger(vega.Warn, undefined, (_method, _level, input) => warn?.(input.map(String).join(' ')));
  const compiled = vegaLite.compile(spec, { config: CONFIG as never, logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: refusingLoader(), logger, logLevel: vega.Warn });
  try {
    return safeSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** A loader that loads nothing: the data are inline, so any request would be a bug (or an injection). */
function refusingLoader(): import('vega').Loader {
  const refuse = (uri: string) => Promise.reject(new Error(`charts load nothing (asked for ${uri})`));
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

const SVG_NS = ' xmlns="http://www.w3.org/2000/svg"';
const XLINK_NS = ' xmlns:xlink="http://www.w3.org/1999/xlink"';
/** The elements Vega's SVG renderer writes for the marks used here. */
const ELEMENTS = new Set(['svg', 'g', 'path', 'rect', 'line', 'text', 'tspan', 'title', 'desc', 'defs', 'clipPath']);
/** Attributes that carry a person's text (labels): anything may be in them, escaped. */
const TEXT_ATTRIBUTES = new Set(['aria-label', 'aria-roledescription']);
const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g;
const ATTRIBUTE = /\s+([\w:-]+)="([^"]*)"/g;

/**
 * The SVG as inlined in HTML, checked element by element: only the elements above, no event handler, no link
 * (`href`, `xlink:*`), no `url(…)` or URL in any attribute but the SVG namespace, and no markup in text (every
 * `<` is one of the checked tags; Vega escapes `<`, `>`, `&` and `"` in text and attributes). The xlink namespace
 * Vega declares is dropped, since nothing uses it. Anything else is a bug in the specs above, so it throws
 * rather than passing it on.
 */
export function safeSvg(svg: string): string {
  const out = svg.replace(XLINK_NS, '');
  const unsafe = (why: string) => new Error(`the chart renderer produced SVG that is not safe to inline: ${why}`);
  if (!out.startsWith(`<svg${SVG_NS} `) || !out.endsWith('</svg>')) throw unsafe('not one <svg> element');
  const text = out.replace(TAG, (_tag, _close: string, name: string, attributes: string) => {
    if (!ELEMENTS.has(name)) throw unsafe(`element <${name}>`);
    for (const [, attribute, value] of attributes.matchAll(ATTRIBUTE)) {
      const key = (attribute as string).toLowerCase();
      if (key === 'xmlns' && name === 'svg' && value === 'http://www.w3.org/2000/svg') continue;
      if (key.startsWith('on') || key.includes('href') || key.startsWith('xlink') || key.startsWith('xmlns')) throw unsafe(`attribute ${attribute}`);
      if (!TEXT_ATTRIBUTES.has(key) && /url\(|:\/\/|javascript:|expression\(/i.test(value as string)) throw unsafe(`value of ${attribute}`);
    }
    return '';
  });
  if (text.includes('<')) throw unsafe('markup outside the checked tags');
  return out;
}
