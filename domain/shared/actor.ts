import { ForbiddenError } from '../errors';

export const ROLES = ['admin', 'manager', 'rep', 'finance', 'service'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A tenant id: 1 to 63 lowercase letters, digits and dashes, starting and ending with a letter or digit (a DNS
 * label, so a tenant id can also name a subdomain, a bucket prefix or a log stream as it is). Nothing else is a
 * tenant: ElectroDB lower-cases every key and joins key parts with `#`, so `Acme` would be `acme`'s keys and
 * `acme#x` would be read as more key parts. Claims are checked against it where they are read
 * (functions/shared/auth.ts), and so is every tenant id the local tools accept.
 */
export const TENANT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const TENANT_ID_RULE = '1 to 63 lowercase letters, digits and dashes, starting and ending with a letter or digit';

/**
 * A user id (the token's `sub`; `owner`, `assignee` and the like hold it): 1 to 128 lowercase letters, digits
 * and `. _ @ + : | -`, starting with a letter or digit. A user's keys carry it (notifications, read marks, rep
 * profile, the owner indexes), lower-cased like every key: `Bob` would read what is addressed to `bob`. Cognito's
 * `sub` is a lowercase UUID, so every real user has one of this form.
 */
export const USER_ID_PATTERN = /^[a-z0-9][a-z0-9._@+:|-]{0,127}$/;
export const USER_ID_RULE = '1 to 128 lowercase letters, digits and . _ @ + : | -, starting with a letter or digit';

export const isTenantId = (value: unknown): value is string => typeof value === 'string' && TENANT_ID_PATTERN.test(value);
export const isUserId = (value: unknown): value is string => typeof value === 'string' && USER_ID_PATTERN.test(value);

/** Who is acting: always one tenant, identified by the token's `sub`. */
export interface Actor {
  tenantId: string;
  userId: string;
  roles: readonly Role[];
}

export function hasAnyRole(actor: Actor, roles: readonly Role[]): boolean {
  return actor.roles.some((role) => roles.includes(role));
}

/** Who may read the audit trail — field values before and after each change, erased data included. */
export const AUDIT_READERS = ['admin', 'manager'] as const satisfies readonly Role[];

export const mayReadAuditTrail = (actor: Actor): boolean => hasAnyRole(actor, AUDIT_READERS);

/** Who keeps the tenant's exchange rates. */
export const RATE_KEEPERS = ['admin', 'finance'] as const satisfies readonly Role[];

/**
 * Who reads the sales organisation and its plans: teams, targets, forecast calls. Not `service`: after-sales sees
 * no sales figures (issue 16), and teams exist to roll figures up to managers.
 */
export const SALES_PLAN_READERS = ['admin', 'manager', 'rep', 'finance'] as const satisfies readonly Role[];

/** Who keeps teams, sets targets and adjusts forecast calls. */
export const SALES_PLANNERS = ['admin', 'manager'] as const satisfies readonly Role[];

/**
 * Who reads the weekly team reviews: a review is a team's figures, which the reports show to managers, admins and
 * finance (reps see their own figures only; service sees no sales figures).
 */
export const REVIEW_READERS = ['admin', 'manager', 'finance'] as const satisfies readonly Role[];

/** After-sales staff: they read the SLA policy and (to come) work all of the tenant's tickets. */
export const CARE_STAFF = ['admin', 'manager', 'service'] as const satisfies readonly Role[];

/** Who submits a forecast call of their own: the roles that own deals. */
export const FORECASTERS = ['admin', 'manager', 'rep'] as const satisfies readonly Role[];

/** Admins and managers see and change every record of their tenant. */
export function seesWholeTenant(actor: Actor): boolean {
  return hasAnyRole(actor, ['admin', 'manager']);
}

/** A record owned by `owner` may be changed by its owner, a manager or an admin. */
export function assertMayChangeOwned(actor: Actor, owner: string, what: string): void {
  if (seesWholeTenant(actor)) return;
  if (actor.roles.includes('rep') && owner === actor.userId) return;
  throw new ForbiddenError(`Only the owner, a manager or an admin may change this ${what}`);
}

/**
 * Who a new record belongs to. Reps own what they create; managers and admins may hand it to anyone.
 */
export function ownerForNewRecord(actor: Actor, requestedOwner: string | undefined): string {
  if (requestedOwner === undefined || requestedOwner === actor.userId) return actor.userId;
  if (seesWholeTenant(actor)) return requestedOwner;
  throw new ForbiddenError('Only managers and admins may create records for another owner');
}
