/**
 * The notifications function's route table. The caller's inbox: their notifications and their roles'.
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import {
  ListNotificationsQuery,
  Notification,
  NotificationIdParams,
  NotificationPage,
} from '../../../domain/notifications/schemas';
import { ALL, defineRoutes } from '../../shared/route';

export const notificationRoutes = defineRoutes('notifications', [
  {
    id: 'listMyNotifications',
    method: 'GET',
    path: '/me/notifications',
    access: ALL,
    tag: 'Notifications',
    summary: "The caller's notifications and those of their roles, newest first (approval requests, decisions, reminders)",
    request: { query: ListNotificationsQuery },
    response: { status: 200, schema: NotificationPage, description: 'One page of notifications' },
  },
  {
    id: 'markNotificationRead',
    writes: false,
    method: 'POST',
    path: '/me/notifications/{id}/read',
    access: ALL,
    tag: 'Notifications',
    summary: 'Mark one notification read (for the caller only, also when it was addressed to their role)',
    request: { params: NotificationIdParams },
    response: { status: 200, schema: Notification, description: 'The notification, read' },
    errors: [404],
  },
]);
