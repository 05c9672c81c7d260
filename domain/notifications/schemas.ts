import * as z from 'zod';
import { MAX_PAGE_SIZE } from '../shared/pagination';
import { pageOf } from '../shared/schemas';

export const Notification = z
  .object({
    id: z.string(),
    type: z.string(),
    title: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }),
    data: z.record(z.string(), z.unknown()).optional(),
    audience: z.string().meta({ description: '`user:<sub>` (for the caller) or `role:<role>` (for everyone with the role)' }),
    read: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'Notification' });

export const NotificationPage = pageOf(Notification, 'NotificationPage');

const NotificationId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Must be a notification id');

export const ListNotificationsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  cursor: NotificationId.optional().meta({ description: 'The `nextCursor` of the previous page (older notifications)' }),
  unread: z.enum(['true', 'false']).optional().meta({ description: '`true`: only unread ones' }),
});

export const NotificationIdParams = z.strictObject({ id: NotificationId });

export type NotificationView = z.infer<typeof Notification>;
export type ListNotificationsInput = z.infer<typeof ListNotificationsQuery>;
