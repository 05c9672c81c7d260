import type { Actor, Role } from '../../domain/shared/actor';

/** An actor of one role (no test runner needed: the benchmark uses it too). */
export const actor = (tenantId: string, userId: string, role: Role): Actor => ({ tenantId, userId, roles: [role] });
