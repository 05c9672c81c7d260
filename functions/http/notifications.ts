/** The caller's inbox: their notifications and their roles'. */
import { listNotifications, markNotificationRead } from '../../domain/notifications/service';
import { ok } from '../shared/http';
import { createHttpHandler } from '../shared/http-handler';

export const handler = createHttpHandler('notifications', {
  listMyNotifications: async ({ deps, actor, query }) => ok(await listNotifications(deps, actor, query)),
  markNotificationRead: async ({ deps, actor, params }) => ok(await markNotificationRead(deps, actor, params.id)),
});
