import type { HttpMiddleware, HttpMiddyRequest } from '../http';
import { stateOf } from '../http';

/**
 * What locks an HTML page down: no script of any origin, no asset from anywhere (its one style sheet is inline),
 * its form may post only to this API, no `<base>`, never framed; no sniffing another type, no referrer (the URL is
 * the link's secret), never cached (it shows a live state and carries a one-time link).
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * Content negotiation for the routes that also serve a person in a browser (`html: true` in the route table).
 * Before anything else can fail, it decides whether this request gets HTML pages (`state.html`, see
 * `prefersHtml`), so an early refusal (a malformed link, a body too large) is a page too. On the way back every
 * response of such a route says that it varies by `Accept`, and an HTML one carries `PAGE_HEADERS`, wherever it
 * was made (the operation's page, or the error page of problemResponses).
 */
export function negotiateHtml(): HttpMiddleware {
  const stamp = (request: HttpMiddyRequest) => {
    const { response } = request;
    if (!request.internal.http?.route.html || !response) return;
    const isPage = /^text\/html\b/i.test(String(response.headers?.['content-type'] ?? ''));
    response.headers = { ...response.headers, vary: 'Accept', ...(isPage && PAGE_HEADERS) };
  };
  return {
    name: 'negotiateHtml',
    before: (request) => {
      const state = stateOf(request);
      state.html = state.route.html === true && prefersHtml(request.event.headers ?? {});
    },
    after: stamp,
    onError: stamp,
  };
}

interface Preference {
  q: number;
  /** 2: named exactly (`text/html`), 1: by its type (`text/*`), 0: by `*\/*`, -1: not acceptable at all. */
  specificity: number;
}

/**
 * Whether a request prefers an HTML page to JSON. By `Accept` (RFC 9110 §12.5.1: the most specific range that
 * matches a type gives its quality): HTML when `text/html` has the higher quality, or the same quality and is
 * named more specifically — a browser's navigation (`text/html,…,*\/*;q=0.8`) gets HTML; `application/json` and
 * `*\/*` (curl, fetch, SDKs) keep JSON. A tie (no `Accept`, or `*\/*`) goes to HTML only for a request that came as
 * an HTML form, which only a browser or someone posting like one sends.
 */
export function prefersHtml(headers: Readonly<Record<string, string | undefined>>): boolean {
  const ranges = parseAccept(headers.accept);
  const html = preference(ranges, 'text', 'html');
  const json = preference(ranges, 'application', 'json');
  if (html.q !== json.q) return html.q > json.q;
  if (html.q === 0) return false;
  if (html.specificity !== json.specificity) return html.specificity > json.specificity;
  return mediaType(headers['content-type']) === FORM_MEDIA_TYPE;
}

/**
 * Whether a request prefers CSV to JSON (routes marked `csv`): by `Accept` as above — `text/csv` of a higher
 * quality, or of the same and named more specifically; a tie (no `Accept`, `*\/*`) keeps JSON.
 */
export function prefersCsv(headers: Readonly<Record<string, string | undefined>>): boolean {
  const ranges = parseAccept(headers.accept);
  const csv = preference(ranges, 'text', 'csv');
  const json = preference(ranges, 'application', 'json');
  if (csv.q !== json.q) return csv.q > json.q;
  return csv.q > 0 && csv.specificity > json.specificity;
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [{ type: '*', subtype: '*', q: 1 }];
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';').map((piece) => piece.trim());
    const [type, subtype] = range.toLowerCase().split('/');
    if (!type || !subtype) continue;
    const qParam = params.find((param) => /^q\s*=/i.test(param));
    const q = qParam === undefined ? 1 : Number(qParam.split('=')[1]);
    ranges.push({ type, subtype, q: Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 1 });
  }
  return ranges;
}

function preference(ranges: readonly MediaRange[], type: string, subtype: string): Preference {
  let best: Preference = { q: 0, specificity: -1 };
  for (const range of ranges) {
    const specificity = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' ? 0 : -1;
    if (specificity > best.specificity) best = { q: range.q, specificity };
  }
  return best;
}

export const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase();
