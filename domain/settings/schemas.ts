import * as z from 'zod';
import { CurrencyCode, Key, Percent } from '../shared/schemas';

const TaskReminders = z.strictObject({
  dueSoonHours: z.number().int().min(0).max(720).meta({ description: 'Tell the assignee this many hours before a task is due' }),
  escalateAfterHours: z.number().int().min(1).max(720).meta({ description: "Tell the assignee's manager when a task is overdue this long" }),
});

export const SettingsBody = z
  .strictObject({
    companyName: z.string().trim().min(1).max(200).optional().meta({ description: 'Printed on quotes and contracts' }),
    baseCurrency: CurrencyCode.meta({ description: 'The currency reports and approval limits are stated in' }),
    lostReasons: z
      .array(Key)
      .min(1)
      .max(50)
      .refine((reasons) => new Set(reasons).size === reasons.length, { message: 'Each reason only once' })
      .meta({ description: 'Allowed `lostReason` values for lost opportunities' }),
    taxRates: z
      .record(Key, Percent)
      .refine((rates) => Object.keys(rates).length > 0 && Object.keys(rates).length <= 50, { message: 'Give 1 to 50 tax categories' })
      .optional()
      .meta({ description: 'Tax category → percent, e.g. { "standard": "19", "reduced": "7" }; default { "standard": "0" }' }),
    maxDiscountPercent: Percent.optional().meta({ description: 'Quotes discounted beyond this need approval; default "20"' }),
    taskReminders: TaskReminders.optional().meta({ description: 'Default { "dueSoonHours": 24, "escalateAfterHours": 24 }' }),
  })
  .meta({ id: 'SettingsInput' });

export const Settings = z
  .object({
    companyName: z.string().optional(),
    baseCurrency: z.string(),
    lostReasons: z.array(z.string()),
    taxRates: z.record(z.string(), z.string()),
    maxDiscountPercent: z.string(),
    taskReminders: z.object({ dueSoonHours: z.number().int(), escalateAfterHours: z.number().int() }),
    version: z.number().int().meta({ description: '0 while the tenant runs on the defaults' }),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'Settings' });

export type SettingsInput = z.infer<typeof SettingsBody>;
export type SettingsView = z.infer<typeof Settings>;
