/** Notifications: who hears about a change (built as items for the changer's transaction), and the caller's inbox. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { NotFoundError } from '../errors';
import type { Actor, Role } from '../shared/actor';
import { DEFAULT_PAGE_SIZE, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import type { ListNotificationsInput, NotificationView } from './schemas';

export type NotificationItem = EntityItem<SalesDb['entities']['notification']>;

export interface Audience {
  role?: Role | string;
  users?: readonly string[];
}

/** The recipient keys of an audience: each named user, else the role as a whole. */
export function recipientsOf(audience: Audience): string[] {
  if (audience.users && audience.users.length > 0) return [...new Set(audience.users)].map((user) => `user:${user}`);
  return audience.role ? [`role:${audience.role}`] : [];
}

export function notificationItems(
  deps: Deps,
  tenantId: string,
  at: string,
  audience: Audience,
  notification: { type: string; title: string; subject: { type: string; id: string }; data?: Record<string, unknown> },
): NotificationItem[] {
  return recipientsOf(audience).map((recipient) => ({
    tenantId,
    recipient,
    notificationId: deps.ids.next(),
    ...notification,
    createdAt: at,
  }));
}

/**
 * The caller's notifications, newest first: their own (`user:<sub>`) merged with those of each of their roles
 * (`role:<role>`). The cursor is the oldest id of the page; each feed is read below it, so a page costs one
 * query per feed plus one for the caller's read marks, whatever the history's length.
 */
export async function listNotifications(deps: Deps, actor: Actor, input: ListNotificationsInput): Promise<Page<NotificationView>> {
  const limit = input.limit ?? DEFAULT_PAGE_SIZE;
  const { tenantId, userId } = actor;
  const feeds = [`user:${userId}`, ...actor.roles.map((role) => `role:${role}`)];
  const pages = await Promise.all(
    feeds.map((recipient) => {
      const query = deps.db.entities.notification.query.byRecipient({ tenantId, recipient });
      const ranged = input.cursor ? query.lt({ notificationId: input.cursor }) : query;
      return ranged
        .where((attr, op) => (input.unread === 'true' && recipient.startsWith('user:') ? op.notExists(attr.readAt) : ''))
        .go({ order: 'desc', limit: limit + 1, count: limit + 1 });
    }),
  );
  const merged = pages
    .flatMap((page) => page.data)
    .sort((a, b) => (a.notificationId < b.notificationId ? 1 : -1));
  const marks = await readMarks(deps, actor, merged);
  const views = merged
    .map((item) => toView(item, item.readAt !== undefined || marks.has(item.notificationId)))
    .filter((view) => input.unread !== 'true' || !view.read);
  const items = views.slice(0, limit);
  const more = views.length > limit || pages.some((page) => page.data.length > limit);
  return { items, nextCursor: more && items.length > 0 ? items[items.length - 1]!.id : null };
}

async function readMarks(deps: Deps, actor: Actor, items: NotificationItem[]): Promise<Set<string>> {
  const roleItems = items.filter((item) => item.recipient.startsWith('role:'));
  if (roleItems.length === 0) return new Set();
  const ids = roleItems.map((item) => item.notificationId).sort();
  const { data } = await deps.db.entities.notificationRead.query
    .byUser({ tenantId: actor.tenantId, userId: actor.userId })
    .between({ notificationId: ids[0]! }, { notificationId: ids[ids.length - 1]! })
    .go({ pages: 'all' });
  return new Set(data.map((mark) => mark.notificationId));
}

/** Marks one notification read for the caller: theirs by its `readAt`, a role's by a mark of their own. */
export async function markNotificationRead(deps: Deps, actor: Actor, notificationId: string): Promise<NotificationView> {
  const feeds = [`user:${actor.userId}`, ...actor.roles.map((role) => `role:${role}`)];
  const found = await Promise.all(
    feeds.map((recipient) => deps.db.entities.notification.get({ tenantId: actor.tenantId, recipient, notificationId }).go()),
  );
  const item = found.map((result) => result.data).find((data): data is NotificationItem => data !== null);
  if (!item) throw new NotFoundError(`Notification ${notificationId} not found`);
  const readAt = deps.clock.now().toISOString();
  if (item.recipient.startsWith('user:')) {
    if (item.readAt === undefined) {
      await deps.db.entities.notification
        .patch({ tenantId: item.tenantId, recipient: item.recipient, notificationId })
        .set({ readAt })
        .where((attr, op) => op.notExists(attr.readAt))
        .go()
        .catch((error: unknown) => {
          // Read twice at once: the first mark stands.
          if (!String((error as Error).message).includes('conditional')) throw error;
        });
    }
  } else {
    await deps.db.entities.notificationRead.put({ tenantId: actor.tenantId, userId: actor.userId, notificationId, readAt }).go();
  }
  return toView(item, true);
}

function toView(item: NotificationItem, read: boolean): NotificationView {
  return {
    id: item.notificationId,
    type: item.type,
    title: item.title,
    subject: item.subject,
    ...(item.data !== undefined && { data: item.data }),
    audience: item.recipient,
    read,
    createdAt: item.createdAt,
  };
}
