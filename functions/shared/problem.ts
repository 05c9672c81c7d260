/**
 * The one place that decides how failures look to a client: RFC 9457 problem+json. Domain errors map to
 * their status; anything unexpected is a 500 whose detail never echoes internals.
 */
import {
  ConflictError,
  ForbiddenError,
  PreconditionFailedError,
  UnprocessableError,
  ValidationError,
  isDomainError,
  type ErrorKind,
  type FieldIssue,
} from '../../domain/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldIssue[];
  [extension: string]: unknown;
}

/** An HTTP-level failure raised by the handler chain itself (auth, body parsing, size limits). */
export class HttpProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: FieldIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblemError';
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Exhaustive: a new error kind does not compile until it has its status here. */
const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  idempotency_key_reused: 422,
  unprocessable: 422,
  unavailable: 503,
};

export function problemFromError(error: unknown, instance?: string): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof HttpProblemError) {
    return {
      problem: build(error.status, error.message, instance, error.errors, {}, error.title),
      headers: error.headers,
    };
  }
  if (isDomainError(error)) {
    const status = STATUS_BY_KIND[error.kind];
    const extensions: Record<string, unknown> = {};
    let errors: FieldIssue[] | undefined;
    if (error instanceof ValidationError || error instanceof UnprocessableError || error instanceof ForbiddenError) errors = error.errors;
    if (error instanceof ConflictError) Object.assign(extensions, error.details);
    if (error instanceof PreconditionFailedError && error.currentVersion !== undefined) {
      extensions.currentVersion = error.currentVersion;
    }
    return { problem: build(status, error.message, instance, errors, extensions), headers: {} };
  }
  return {
    problem: build(500, 'An unexpected error occurred; it has been logged', instance),
    headers: {},
  };
}

function build(
  status: number,
  detail: string,
  instance: string | undefined,
  errors?: FieldIssue[],
  extensions: Record<string, unknown> = {},
  titleOverride?: string,
): Problem {
  const title = titleOverride ?? TITLES[status] ?? 'Error';
  // Extensions first: a detail named like a standard member (status, title…) must never replace it.
  return {
    ...extensions,
    type: `/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`,
    title,
    status,
    detail,
    ...(instance !== undefined && { instance }),
    ...(errors !== undefined && errors.length > 0 && { errors }),
  };
}
