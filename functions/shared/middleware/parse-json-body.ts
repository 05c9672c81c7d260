import { stateOf, type HttpMiddleware } from '../http';
import { HttpProblemError } from '../problem';
import { FORM_MEDIA_TYPE, mediaType } from './negotiate-html';

/** Far above any legitimate CRM record; API Gateway's own limit is 10 MB. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads the JSON body of routes that take one: size first (413), then media type (415), then syntax (400).
 * An absent (empty) body needs no media type: it is left `undefined` for validation to judge (a route whose body
 * schema has no required field takes it as `{}`). Routes without a body schema accept no body beyond `{}`.
 * A route marked `formBody` also takes an HTML form (`application/x-www-form-urlencoded`), read by `readForm`
 * into the object the same schema then validates.
 */
export function parseJsonBody(): HttpMiddleware {
  return {
    name: 'parseJsonBody',
    before: (request) => {
      const { event } = request;
      const state = stateOf(request);
      const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
      if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
        throw new HttpProblemError(413, 'Content Too Large', `The body may be at most ${MAX_BODY_BYTES} bytes`);
      }
      state.rawBody = raw;
      const takesBody = state.route.request !== undefined && 'body' in state.route.request;
      if (raw.trim() === '') {
        state.body = undefined;
        return;
      }
      if (takesBody) {
        const contentType = event.headers?.['content-type'] ?? '';
        if (state.route.formBody && mediaType(contentType) === FORM_MEDIA_TYPE) {
          state.body = readForm(raw);
          return;
        }
        if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
          const accepted = state.route.formBody ? `application/json or ${FORM_MEDIA_TYPE}` : 'application/json';
          throw new HttpProblemError(415, 'Unsupported Media Type', `Send the body as ${accepted}`);
        }
      }
      try {
        state.body = JSON.parse(raw);
      } catch {
        throw new HttpProblemError(400, 'Bad Request', 'The body is not valid JSON', [
          { path: 'body', message: 'Malformed JSON' },
        ]);
      }
      if (!takesBody && !isEmptyObject(state.body)) {
        throw new HttpProblemError(400, 'Bad Request', 'This operation takes no body', [
          { path: 'body', message: 'Must be empty' },
        ]);
      }
    },
  };
}

const isEmptyObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

/**
 * An HTML form's fields: a field sent empty (or blank) counts as not given — a form sends every field, filled in or
 * not —; a field sent twice becomes a list, which a schema of strings refuses, naming it.
 */
export function readForm(raw: string): Record<string, string | string[]> {
  // A Map, then own properties: a field named `__proto__` is a field (refused as unknown), not a prototype.
  const fields = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(raw)) {
    if (value.trim() !== '') fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  return Object.fromEntries([...fields].map(([name, values]) => [name, values.length === 1 ? values[0]! : values]));
}
