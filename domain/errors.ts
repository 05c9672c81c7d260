/**
 * Typed domain errors. The HTTP layer maps each to one problem+json status in one place
 * (functions/shared/problem.ts); nothing else decides status codes.
 */
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `body.address.country` or `query.limit`. */
  path: string;
  message: string;
}

abstract class DomainError extends Error {
  abstract readonly kind: string;
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
  ) {
    super(message);
  }
}

/** Missing, or belongs to another tenant: indistinguishable on purpose (404). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** The caller's role or ownership does not allow this (403). */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

/** The request is well-formed but conflicts with current state: duplicate, illegal transition (409). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The thing existed but is closed for good: a timed-out approval step, a used or expired link (410). */
export class GoneError extends DomainError {
  readonly kind = 'gone';
}

/** A dependency (the workflow engine) refused or failed; retrying later may work (503). */
export class ServiceUnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

/** `If-Match` names a version that is not the current one (412). */
export class PreconditionFailedError extends DomainError {
  readonly kind = 'precondition_failed';
  constructor(
    message: string,
    readonly currentVersion?: number,
  ) {
    super(message);
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
  ) {
    super(message);
  }
}

export type AnyDomainError =
  | ValidationError
  | NotFoundError
  | ForbiddenError
  | ConflictError
  | GoneError
  | ServiceUnavailableError
  | PreconditionFailedError
  | IdempotencyKeyReusedError
  | UnprocessableError;

export function isDomainError(error: unknown): error is AnyDomainError {
  return error instanceof DomainError;
}
