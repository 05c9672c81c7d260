import type { z } from 'zod';
import type { FieldIssue } from '../../../domain/errors';
import { bodyIsOptional, type RouteDefinition } from '../route';
import { stateOf, type HttpMiddleware } from '../http';
import { issueMessage } from '../issue-messages';
import { HttpProblemError } from '../problem';

/**
 * Validates path parameters, query string and body against the route's zod schemas, collecting every issue
 * with its field path (`body.address.country`), and reads `If-Match` on routes that honour it. A request without
 * a body, on a route whose body has no required field, is validated as `{}` (see `bodyIsOptional`).
 */
export function validateRequest(routes: readonly RouteDefinition[]): HttpMiddleware {
  const optionalBody = new Set(routes.filter(bodyIsOptional));
  return {
    name: 'validateRequest',
    before: (request) => {
      const { event } = request;
      const state = stateOf(request);
      const schemas = state.route.request ?? {};
      const issues: FieldIssue[] = [];
      state.params = check('path', schemas.params, event.pathParameters ?? {}, issues);
      state.query = check('query', schemas.query, event.queryStringParameters ?? {}, issues);
      const body = state.body === undefined && optionalBody.has(state.route) ? {} : state.body;
      state.body = schemas.body ? check('body', schemas.body, body, issues) : undefined;
      if (state.route.ifMatch) state.ifMatch = parseIfMatch(event.headers?.['if-match'], issues);
      if (issues.length > 0) {
        throw new HttpProblemError(400, 'Bad Request', describe(issues), issues);
      }
    },
  };
}

function check(part: string, schema: z.ZodType | undefined, value: unknown, issues: FieldIssue[]): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value, { error: issueMessage });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const at = [part, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: `${at}.${key}`, message: 'Unknown field' });
    } else {
      issues.push({ path: at, message: issue.message });
    }
  }
  return undefined;
}

/** `If-Match: "3"` (also `W/"3"` or a bare 3). `*` means any version, as absent. */
function parseIfMatch(header: string | undefined, issues: FieldIssue[]): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match) {
    issues.push({ path: 'headers.if-match', message: 'Must be an ETag this API sent, such as "3"' });
    return undefined;
  }
  return Number(match[1]);
}

function describe(issues: FieldIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${issue.path}: ${issue.message}`);
  return `Invalid request: ${shown.join('; ')}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}`;
}
