import { CustomAttributeType, createSchema } from 'electrodb';
import { SERVICE_NAME } from '../table';

/**
 * A notification for one user (`user:<sub>`) or for everyone holding a role (`role:<role>`): approval
 * requests go to "any manager" as often as to a named person. Written in the same transaction as the change it
 * tells about; published to integrations (email, chat) through the domain event of that change.
 */
export const notificationSchema = createSchema({
  model: { entity: 'notification', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    recipient: { type: 'string', required: true, readOnly: true },
    notificationId: { type: 'string', required: true, readOnly: true },
    type: { type: 'string', required: true, readOnly: true },
    title: { type: 'string', required: true, readOnly: true },
    subject: { type: 'map', properties: { type: { type: 'string', required: true }, id: { type: 'string', required: true } }, required: true },
    data: { type: CustomAttributeType<Record<string, unknown>>('any') },
    createdAt: { type: 'string', required: true, readOnly: true },
    readAt: { type: 'string' },
  },
  indexes: {
    byRecipient: {
      pk: { field: 'pk', composite: ['tenantId', 'recipient'] },
      sk: { field: 'sk', composite: ['notificationId'] },
    },
  },
});

/** That one user has read a role-addressed notification (a user-addressed one carries its own `readAt`). */
export const notificationReadSchema = createSchema({
  model: { entity: 'notificationRead', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    userId: { type: 'string', required: true, readOnly: true },
    notificationId: { type: 'string', required: true, readOnly: true },
    readAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byUser: {
      pk: { field: 'pk', composite: ['tenantId', 'userId'] },
      sk: { field: 'sk', composite: ['notificationId'] },
    },
  },
});
