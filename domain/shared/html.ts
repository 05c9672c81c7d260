/**
 * HTML for the few pages a person opens in a browser (an approval link from a mail client, and its error pages),
 * written as template literals that escape by default: in html`<p>${value}</p>` every interpolated value is
 * HTML-escaped unless it is itself markup made by `html` (`Markup`), so a value can only become markup by going
 * through this tag. Arrays are joined (lists of items), `undefined`, `null` and `false` render nothing.
 *
 * Why not LiquidJS here, as the quote document does: these pages are fixed by code, not templates an admin
 * writes (what LiquidJS is for); the approvals function bundles no LiquidJS today (it would add ~80 KB and a
 * template parse to its cold path); and the tag gives the same guarantee as `outputEscape: 'escape'`: nothing is
 * interpolated unescaped unless the code says it is markup.
 */

/** Markup made by `html`: interpolated into other markup as is. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text (or any value, as `String(value)`) made safe to put in an element or a quoted attribute. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function interpolate(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Markup) return value.value;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  return escapeHtml(value);
}

/** html`<dd>${name}</dd>`: the literal parts as written, every value escaped (see the module's comment). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += interpolate(value) + (strings[index + 1] ?? '');
  });
  return new Markup(out);
}

const PAGE_STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f6f4}
main{max-width:40rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #ddd;border-radius:6px}
h1{font-size:1.4rem;margin:0 0 1rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0 0 1.5rem}
dt{color:#666}dd{margin:0}dd ul{margin:0;padding-left:1.1rem}label{display:block;margin-bottom:.3rem}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:.4rem}button{margin-top:.8rem;font:inherit;padding:.5rem 1.4rem;border:0;border-radius:4px;color:#fff;cursor:pointer}
button.approve{background:#1f7a3a}button.reject{background:#a32626}.problem{background:#fdecea;border:1px solid #e6a9a4;padding:.6rem .8rem;border-radius:4px}
.done{background:#e8f4ea;border:1px solid #a9d3b2;padding:.6rem .8rem;border-radius:4px}.muted{color:#666;font-size:.9rem}`;

/**
 * A whole, self-contained page: no script, no external asset (its one style sheet is inline), no referrer. The
 * headers that lock it down (CSP without scripts, nosniff, no-store) are the HTTP layer's.
 */
export function htmlDocument(title: string, body: Markup): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${title}</title><style>${new Markup(PAGE_STYLE)}</style></head>
<body><main>
${body}
</main></body></html>
`.value;
}
