/**
 * What a contract template may refer to, and the engine that renders it. A template is code a tenant admin writes
 * and the server runs, so it gets an allowlist on three levels:
 * - names: templates are checked against PLACEHOLDERS at save time, so a misspelt placeholder is a 422 for the
 *   admin writing it, never a blank in a contract sent to a customer; and the render scope is PLACEHOLDERS' shape
 *   projected onto the records (`placeholderScope`), so nothing else is there to read, whatever a template does
 *   (`{% assign c = customer %}{{ c.owner }}` finds nothing);
 * - tags and filters: the engine knows only ALLOWED_TAGS and ALLOWED_FILTERS (nothing that reads a file, prints
 *   unescaped or dumps an object); saving a template that uses another built-in one is a 400 naming it;
 * - resources: no file system at all (an empty in-memory template map), and limits on parse length, memory and
 *   render time (CONTRACT_LIMITS), so a runaway template fails in about a second at most, as a 422.
 * An allowlist rather than a blocklist: a LiquidJS upgrade that adds a tag or filter adds nothing here.
 */
import { AssertionError, Liquid, LiquidError, Tag, Value, toValueSync, type Template } from 'liquidjs';
import type { FieldIssue } from '../errors';
import { formatMinorUnits } from '../shared/money';

type Shape = 'value' | { [key: string]: Shape } | { items: Shape };

const money: Shape = { amount: 'value', currency: 'value' };
const address: Shape = { line1: 'value', line2: 'value', city: 'value', region: 'value', postalCode: 'value', country: 'value' };
const line: Shape = {
  description: 'value',
  sku: 'value',
  quantity: 'value',
  unit: 'value',
  unitPrice: money,
  discountPercent: 'value',
  discountAmount: money,
  taxCategory: 'value',
  taxPercent: 'value',
  totals: { gross: money, discount: money, net: money, tax: money, total: money },
};

export const PLACEHOLDERS: Shape = {
  company: 'value',
  today: 'value',
  customer: { name: 'value', domain: 'value', email: 'value', phone: 'value', segment: 'value', industry: 'value', address },
  contacts: { items: { name: 'value', title: 'value', email: 'value', phone: 'value', buyingRole: 'value' } },
  opportunity: { name: 'value' },
  quote: {
    quoteNumber: 'value',
    revision: 'value',
    currency: 'value',
    validUntil: 'value',
    discountPercent: 'value',
    terms: 'value',
    notes: 'value',
    lines: { items: line },
    totals: { subtotal: money, discount: money, tax: money, total: money },
  },
  contract: { title: 'value', startDate: 'value', endDate: 'value', renewal: 'value', specialTerms: 'value', revision: 'value' },
};

/**
 * The tags a contract needs: conditions, loops, variables, comments. Not `include`, `render`, `layout` (and its
 * `block`): a template reads no other file; not `raw`: nothing is printed unescaped.
 */
export const ALLOWED_TAGS: ReadonlySet<string> = new Set([
  'if', 'unless', 'case', 'for', 'break', 'continue', 'tablerow', 'cycle',
  'assign', 'capture', 'increment', 'decrement', 'echo', 'liquid', 'comment', '#',
]);

/**
 * The filters a contract needs: text, numbers, dates, lists, and our `money`. Not `raw` (unescaped output), not
 * `json`/`jsonify`/`inspect` (they dump whole objects), not `sample` (a contract's text is reproducible), not the
 * hashing and base64 ones (nothing in a contract needs them).
 */
export const ALLOWED_FILTERS: ReadonlySet<string> = new Set([
  'money',
  'escape', 'xml_escape', 'escape_once', 'newline_to_br', 'strip_html', 'url_encode', 'url_decode', 'cgi_escape', 'uri_escape', 'slugify',
  'append', 'prepend', 'capitalize', 'downcase', 'upcase', 'strip', 'lstrip', 'rstrip', 'strip_newlines', 'squish', 'normalize_whitespace',
  'remove', 'remove_first', 'remove_last', 'replace', 'replace_first', 'replace_last', 'split', 'truncate', 'truncatewords',
  'number_of_words', 'array_to_sentence_string', 'default',
  'abs', 'at_least', 'at_most', 'ceil', 'floor', 'round', 'plus', 'minus', 'times', 'divided_by', 'modulo', 'to_integer',
  'date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string',
  'size', 'first', 'last', 'join', 'reverse', 'sort', 'sort_natural', 'map', 'sum', 'compact', 'concat', 'uniq', 'slice',
  'push', 'pop', 'shift', 'unshift', 'where', 'where_exp', 'reject', 'reject_exp', 'find', 'find_exp', 'find_index', 'find_index_exp',
  'has', 'has_exp', 'group_by', 'group_by_exp',
]);

/** Why the built-in tags and filters a template may not use are left out, in the words of the 400. */
const WHY_NOT: Readonly<Record<string, string>> = {
  '{% include %}': 'a contract template reads no other file',
  '{% render %}': 'a contract template reads no other file',
  '{% layout %}': 'a contract template reads no other file',
  '{% block %}': 'a contract template has no layout',
  '{% raw %}': 'a contract template prints nothing unescaped',
  '| raw': 'a contract template prints nothing unescaped',
  '| json': 'placeholders are printed one value at a time',
  '| jsonify': 'placeholders are printed one value at a time',
  '| inspect': 'placeholders are printed one value at a time',
};

/**
 * What one render may take. Units as LiquidJS counts them:
 * - `parseLimit`, characters per parse: 100,000, the template body's own maximum (schemas.ts), so whatever sits in
 *   the table parses no longer than a template saved today may be.
 * - `memoryLimit`, units of what filters and ranges allocate (characters of strings built, escaped or joined;
 *   elements of ranges and arrays made): 1,000,000. A contract's printed values are part of its body, which is
 *   at most MAX_BODY_BYTES (200 KiB), so this is ~5 times the largest body we store; a 45,000-character template
 *   with 200 quote lines and 60,000 characters of terms uses ~150,000. A range of 3 million (`(1..3000000)`) or a
 *   string doubled in a loop fails at once (in milliseconds).
 * - `renderLimit`, milliseconds per render: 1,000. Measured here, a 200-line quote table renders in ~25 ms and a
 *   contacts × lines loop (10,000 turns) in ~150 ms: 40 and ~7 times less, room for a slower Lambda. A runaway
 *   loop that allocates nothing (loops over loops of one list) holds one function instance for a second of the
 *   10 s it has.
 */
export const CONTRACT_LIMITS = { parseLimit: 100_000, memoryLimit: 1_000_000, renderLimit: 1_000 } as const;

/**
 * The largest rendered contract body, in UTF-8 bytes: the contract item (body, money terms of up to 200 lines) and
 * its idempotent response must fit a DynamoDB item (400 KB).
 */
export const MAX_BODY_BYTES = 200 * 1024;

let engine: Liquid | undefined;
let checker: Liquid | undefined;

/**
 * The engine contracts are rendered with: HTML-escaped output, a `money` filter over integer minor units, only the
 * allowlisted tags and filters registered, no file system (`templates: {}`: even a tag that loads another template
 * would find nothing), CONTRACT_LIMITS. Built on first use, not at import: most functions import this module
 * without ever rendering (cold start).
 */
export function contractEngine(): Liquid {
  if (engine) return engine;
  engine = new Liquid({ templates: {}, outputEscape: 'escape', strictFilters: true, ownPropertyOnly: true, ...CONTRACT_LIMITS });
  engine.registerFilter('money', (value: { amount: number; currency: string } | undefined) =>
    value ? `${formatMinorUnits(value.amount)} ${value.currency}` : '',
  );
  // The registries are LiquidJS's own (public) maps: what is not on the allowlist is taken out of them.
  for (const name of Object.keys(engine.tags)) if (!ALLOWED_TAGS.has(name)) Reflect.deleteProperty(engine.tags, name);
  for (const name of Object.keys(engine.filters)) if (!ALLOWED_FILTERS.has(name)) Reflect.deleteProperty(engine.filters, name);
  return engine;
}

/**
 * An engine that knows every built-in tag and filter, only to parse a template and name what it may not use (it
 * never renders; no file system either).
 */
function checkerEngine(): Liquid {
  if (checker) return checker;
  checker = new Liquid({ templates: {}, strictFilters: true, parseLimit: CONTRACT_LIMITS.parseLimit });
  checker.registerFilter('money', () => '');
  return checker;
}

/**
 * The built-in tags and filters a template uses that are not allowed, each a field issue on `body.body` naming it
 * (a 400 at save). Found by walking the parsed template: every tag and output, their nested templates and the
 * filters of their values. A template that does not parse has none here: its syntax is `templateIssues`' to report.
 */
export function templateRefusals(source: string): FieldIssue[] {
  let templates: Template[];
  try {
    templates = checkerEngine().parse(source);
  } catch {
    return [];
  }
  const refused = new Set<string>();
  const visit = (template: Template) => {
    if (template instanceof Tag && !ALLOWED_TAGS.has(template.name)) refused.add(`{% ${template.name} %}`);
    for (const argument of template.arguments?.() ?? []) {
      if (!(argument instanceof Value)) continue;
      for (const filter of argument.filters) if (!ALLOWED_FILTERS.has(filter.name)) refused.add(`| ${filter.name}`);
    }
    if (template.children) for (const child of toValueSync(template.children(false, true)) as Template[]) visit(child);
  };
  templates.forEach(visit);
  return [...refused].map((name) => ({
    path: 'body.body',
    message: `The ${name} ${name.startsWith('|') ? 'filter' : 'tag'} is not allowed in contract templates: ${WHY_NOT[name] ?? 'it is not one they may use'}`,
  }));
}

/** Syntax errors and unknown placeholders of a template body, as field issues on `body.body` (a 422 at save). */
export function templateIssues(source: string): FieldIssue[] {
  let segments: Array<Array<string | number>>;
  try {
    segments = contractEngine().globalVariableSegmentsSync(contractEngine().parse(source)) as Array<Array<string | number>>;
  } catch (error) {
    return [{ path: 'body.body', message: `Template syntax: ${firstLine(error)}` }];
  }
  const issues: FieldIssue[] = [];
  for (const path of segments) {
    const problem = checkPath(path);
    if (problem) issues.push({ path: 'body.body', message: `Unknown placeholder ${path.join('.')}: ${problem}` });
  }
  return issues;
}

/**
 * The render scope: the records projected onto PLACEHOLDERS, so only the fields it names exist (a `value` is kept
 * only as a string, number or boolean; a list only as a list). What a template cannot find, it cannot leak.
 */
export function placeholderScope(data: Record<string, unknown>): Record<string, unknown> {
  return project(PLACEHOLDERS, data) as Record<string, unknown>;
}

function project(shape: Shape, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (shape === 'value') return ['string', 'number', 'boolean'].includes(typeof value) ? value : undefined;
  if (isList(shape)) return Array.isArray(value) ? value.map((item) => project(shape.items, item)) : undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const projected: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(shape)) {
    const field = Object.hasOwn(value, key) ? project(child, (value as Record<string, unknown>)[key]) : undefined;
    if (field !== undefined) projected[key] = field;
  }
  return projected;
}

export type Rendered = { body: string } | { failure: string; cause: unknown };

/**
 * A contract body: the template rendered onto the records' placeholders (`placeholderScope`), or, when the template
 * cannot be rendered (a syntax error or a refused tag in a template saved before the rules, a limit exceeded, a
 * body larger than MAX_BODY_BYTES), why not in a sentence. Anything else thrown is a fault and is rethrown.
 */
export function renderTemplate(source: string, data: Record<string, unknown>): Rendered {
  let body: string;
  try {
    body = contractEngine().parseAndRenderSync(source, placeholderScope(data)) as string;
  } catch (error) {
    if (!LiquidError.is(error) && !(error instanceof AssertionError)) throw error;
    return { failure: renderFailure(source, error), cause: error };
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    return {
      failure: `the contract it renders is too long (${bytes.toLocaleString('en-US')} bytes; at most ${MAX_BODY_BYTES.toLocaleString('en-US')})`,
      cause: undefined,
    };
  }
  return { body };
}

/** Why a template could not be rendered, in a sentence for the 422 (the limits in words; a refused tag or filter by name). */
function renderFailure(source: string, error: unknown): string {
  const refused = templateRefusals(source);
  if (refused.length > 0) return refused.map((issue) => issue.message.replace(/^The (.*) in contract templates/, 'the $1')).join('; ');
  const message = firstLine(error);
  if (message.startsWith('memory alloc limit exceeded')) {
    return `it builds more text or longer lists than a contract may (${CONTRACT_LIMITS.memoryLimit.toLocaleString('en-US')} units)`;
  }
  if (message.startsWith('template render limit exceeded')) return `it takes longer than ${CONTRACT_LIMITS.renderLimit} ms to render`;
  if (message.startsWith('parse length limit exceeded')) return `it is longer than ${CONTRACT_LIMITS.parseLimit.toLocaleString('en-US')} characters`;
  return message;
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

const isList = (shape: Exclude<Shape, 'value'>): shape is { items: Shape } => 'items' in shape && Object.keys(shape).length === 1;

function checkPath(path: ReadonlyArray<string | number>): string | undefined {
  let shape: Shape = PLACEHOLDERS;
  for (const segment of path) {
    if (shape === 'value') return 'it has no fields';
    if (isList(shape)) {
      if (typeof segment === 'number' || segment === 'first' || segment === 'last') {
        shape = shape.items;
        continue;
      }
      if (segment === 'size') return undefined;
      return 'a list is read by index, first, last or in a for loop';
    }
    const next: Shape | undefined = Object.hasOwn(shape, segment) ? (shape as Record<string, Shape>)[String(segment)] : undefined;
    if (next === undefined) return `no "${segment}" here (known: ${Object.keys(shape).join(', ')})`;
    shape = next;
  }
  return undefined;
}
