import * as z from 'zod';
import { IsoDate, Key, PageQuery, ShortText, UserId, pageOf } from '../shared/schemas';
import { EXPERIENCE_LEVELS } from './model';

const Tags = (description: string) => z.array(z.string().trim().min(1).max(60)).max(50).meta({ description });

export const PutRepBody = z
  .strictObject({
    displayName: ShortText(120).optional(),
    manager: UserId.optional().meta({ description: "The rep's manager: overdue tasks escalate to them" }),
    skills: z
      .strictObject({
        industries: Tags('Industries the rep knows, as on customers (`industry`)').optional(),
        products: Tags('Product SKUs or families the rep sells').optional(),
        languages: Tags('Languages, e.g. "en", "de"').optional(),
      })
      .optional(),
    territory: Key.optional().meta({ description: 'A rep with a territory only takes records of that territory (or of none)' }),
    experience: z.enum(EXPERIENCE_LEVELS),
    capacity: z.strictObject({
      maxOpenOpportunities: z.number().int().min(0).max(10_000),
      maxOpenLeads: z.number().int().min(0).max(10_000),
    }),
    availability: z
      .strictObject({
        status: z.enum(['active', 'paused']),
        until: IsoDate.optional().meta({ description: 'Paused until this date (inclusive); without it, until set active again' }),
      })
      .refine((availability) => availability.status === 'paused' || availability.until === undefined, { message: 'Only a pause has an end', path: ['until'] })
      .optional()
      .meta({ description: 'Default active' }),
  })
  .meta({ id: 'PutRep' });

export const Rep = z
  .object({
    userId: z.string(),
    displayName: z.string().optional(),
    manager: z.string().optional(),
    skills: z.object({ industries: z.array(z.string()), products: z.array(z.string()), languages: z.array(z.string()) }),
    territory: z.string().optional(),
    experience: z.enum(EXPERIENCE_LEVELS),
    capacity: z.object({ maxOpenOpportunities: z.number().int(), maxOpenLeads: z.number().int() }),
    availability: z.object({ status: z.enum(['active', 'paused']), until: z.string().optional() }),
    load: z.object({ openOpportunities: z.number().int(), openLeads: z.number().int() }).optional().meta({ description: 'Open work now (on GET of one rep)' }),
    version: z.number().int(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'Rep' });

export const RepPage = pageOf(Rep, 'RepPage');
export const RepParams = z.strictObject({ userId: z.string().min(1).max(128).regex(/^[A-Za-z0-9@._:+-]+$/, 'Must be a user id') });
export const ListRepsQuery = z.strictObject({ ...PageQuery });

export type PutRepInput = z.infer<typeof PutRepBody>;
export type RepView = z.infer<typeof Rep>;
