/**
 * Typed domain errors. The HTTP layer maps each kind to one problem+json status in one place
 * (functions/shared/problem.ts, a table the compiler checks against ERROR_KINDS); nothing else decides status codes.
 * Every error takes `ErrorOptions`, so the failure underneath (a store error, an engine's refusal) stays its `cause`.
 */
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `body.address.country` or `query.limit`. */
  path: string;
  message: string;
}

/** Every kind of domain error. A new error class needs a kind from here, and a new kind needs a status. */
export const ERROR_KINDS = [
  'validation',
  'not_found',
  'forbidden',
  'conflict',
  'gone',
  'unavailable',
  'precondition_failed',
  'idempotency_key_reused',
  'unprocessable',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input is malformed or breaks a rule of the field itself (400). */
export class ValidationError extends DomainError {
  readonly kind = 'validation';
  constructor(
    message: string,
    readonly errors: FieldIssue[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Missing, or belongs to another tenant: indistinguishable on purpose (404). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** The caller's role or ownership does not allow this (403); `errors` names the fields they may not set, if any. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  constructor(
    message: string,
    readonly errors: FieldIssue[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The request is well-formed but conflicts with current state: duplicate, illegal transition (409). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Another writer changed what a write read (or held one of its items) first. The one write path
 * (domain/shared/versioned-write.ts) re-applies the change on a fresh read; should it escape after the last
 * attempt, it is what it says: a 409 "try again".
 */
export class ConcurrentChangeError extends ConflictError {
  constructor(message = 'The record is being changed by others right now; try again', options?: ErrorOptions) {
    super(message, {}, options);
  }
}

/** The thing existed but is closed for good: a timed-out approval step, a used or expired link (410). */
export class GoneError extends DomainError {
  readonly kind = 'gone';
}

/** A dependency (the workflow engine, the store) refused or failed; retrying later may work (503). */
export class ServiceUnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

/** `If-Match` names a version that is not the current one (412). */
export class PreconditionFailedError extends DomainError {
  readonly kind = 'precondition_failed';
  constructor(
    message: string,
    readonly currentVersion?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An Idempotency-Key was reused with a different request (422). */
export class IdempotencyKeyReusedError extends DomainError {
  readonly kind = 'idempotency_key_reused';
}

/** Well-formed input that breaks a business rule spanning several fields or records (422). */
export class UnprocessableError extends DomainError {
  readonly kind = 'unprocessable';
  constructor(
    message: string,
    readonly errors: FieldIssue[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
