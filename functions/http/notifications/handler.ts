/** The caller's inbox: their notifications and their roles'. */
import { listNotifications, markNotificationRead } from '../../../domain/notifications';
import { ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { notificationRoutes } from './routes';

export const handler = createHttpHandler(notificationRoutes, {
  listMyNotifications: async ({ deps, actor, query }) => ok(await listNotifications(deps, actor, query)),
  markNotificationRead: async ({ deps, actor, params }) => ok(await markNotificationRead(deps, actor, params.id)),
});
