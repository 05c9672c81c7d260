/**
 * A problem (RFC 9457, ./problem.ts) as a page, for a person in a browser on a route marked `html`: the same
 * status, title and detail, and each bad field. Every value is escaped (domain/shared/html.ts).
 */
import { html, htmlDocument } from '../../domain/shared/html';
import type { Problem } from './problem';

export function problemPage(problem: Problem): string {
  const body = html`<h1>${problem.title}</h1>
<p class="problem" id="problem" role="alert">${problem.detail}</p>
${problem.errors !== undefined && html`<ul>${problem.errors.map((issue) => html`<li><code>${issue.path}</code>: ${issue.message}</li>`)}</ul>`}
<p class="muted">Status ${problem.status}.${problem.status >= 500 ? ' Try again in a moment.' : ''}</p>`;
  return htmlDocument(problem.title, body);
}
