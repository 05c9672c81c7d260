import { createSchema } from 'electrodb';
import { SERVICE_NAME } from '../table';

/**
 * A sales team: a name, the manager figures roll up to, and its members (user ids, the token's `sub`). Teams are
 * few per tenant (tens), so they share the tenant's partition and are listed by one Query.
 */
export const teamSchema = createSchema({
  model: { entity: 'team', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    teamId: { type: 'string', required: true, readOnly: true },
    name: { type: 'string', required: true },
    manager: { type: 'string', required: true },
    members: { type: 'list', items: { type: 'string' }, required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    createdBy: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
    updatedBy: { type: 'string', required: true },
    version: { type: 'number', required: true },
  },
  indexes: {
    byTeam: {
      pk: { field: 'pk', composite: ['tenantId'] },
      sk: { field: 'sk', composite: ['teamId'] },
    },
  },
});

/**
 * A user's team: the guard that keeps a user in at most one team (claimed by a conditional put in the same
 * transaction as the team that adds them, released by a conditional delete when it lets them go), and the
 * answer to "which team is this user in" in one GetItem.
 */
export const teamMembershipSchema = createSchema({
  model: { entity: 'teamMembership', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    userId: { type: 'string', required: true, readOnly: true },
    teamId: { type: 'string', required: true, readOnly: true },
    since: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byUser: {
      pk: { field: 'pk', composite: ['tenantId', 'userId'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});
