/** Notifications: who hears about a change. Built as items for the caller's transaction. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import type { Role } from '../shared/actor';
import type { Deps } from '../shared/ports';

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
