import { ForbiddenError } from '../errors';

export const ROLES = ['admin', 'manager', 'rep', 'finance', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: always one tenant, identified by the token's `sub`. */
export interface Actor {
  tenantId: string;
  userId: string;
  roles: readonly Role[];
}

export function hasAnyRole(actor: Actor, roles: readonly Role[]): boolean {
  return actor.roles.some((role) => roles.includes(role));
}

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
