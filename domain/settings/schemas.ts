import { z } from 'zod';
import { CurrencyCode, Key } from '../shared/schemas';

export const SettingsBody = z
  .strictObject({
    baseCurrency: CurrencyCode.meta({ description: 'The currency reports and approval limits are stated in' }),
    lostReasons: z
      .array(Key)
      .min(1)
      .max(50)
      .refine((reasons) => new Set(reasons).size === reasons.length, { message: 'Each reason once' })
      .meta({ description: 'Allowed `lostReason` values for lost opportunities' }),
  })
  .meta({ id: 'SettingsInput' });

export const Settings = z
  .object({
    baseCurrency: z.string(),
    lostReasons: z.array(z.string()),
    version: z.number().int().meta({ description: '0 while the tenant runs on the defaults' }),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'Settings' });

export type SettingsInput = z.infer<typeof SettingsBody>;
export type SettingsView = z.infer<typeof Settings>;
