import * as z from 'zod';
import { Key, Money, ShortText, UserId } from '../shared/schemas';
import { STRATEGIES } from './strategies';

const Keys = z.array(Key).min(1).max(50);

export const AssignmentRule = z
  .strictObject({
    name: ShortText(80),
    appliesTo: z.array(z.enum(['customer', 'opportunity'])).min(1).optional().meta({ description: 'Default: both' }),
    when: z
      .strictObject({
        segments: z.array(z.string().trim().min(1).max(60)).min(1).max(50).optional(),
        industries: z.array(z.string().trim().min(1).max(60)).min(1).max(50).optional(),
        territories: Keys.optional(),
        sources: z.array(z.string().trim().min(1).max(60)).min(1).max(50).optional(),
        minAmount: Money.optional().meta({ description: 'Deal size (opportunities)' }),
        maxAmount: Money.optional(),
      })
      .optional()
      .meta({ description: 'All given conditions must hold (each list: any of its values); without `when`, every record' }),
    reps: z.array(UserId).min(1).max(200).optional().meta({ description: 'The pool; default every rep with a profile' }),
    strategy: z.enum(STRATEGIES),
    largeDealAmount: Money.optional().meta({ description: 'best_match: deals at least this large go to the most experienced reps' }),
  })
  .meta({ id: 'AssignmentRule' });

export const PutAssignmentRulesBody = z
  .strictObject({
    rules: z.array(AssignmentRule).max(50),
    fallbackOwner: UserId.meta({ description: 'Gets what no rule can place; a manager is told each time' }),
  })
  .meta({ id: 'PutAssignmentRules' });

export const AssignmentRules = z
  .object({
    rules: z.array(AssignmentRule),
    fallbackOwner: z.string().optional().meta({ description: 'Unset: the creator keeps what no rule places' }),
    version: z.number().int(),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'AssignmentRules' });

export const AssignBody = z
  .strictObject({
    owner: UserId.optional().meta({ description: 'The new owner; without it the assignment rules choose' }),
    reason: ShortText(500).meta({ description: 'Why (kept in the audit trail)' }),
  })
  .meta({ id: 'Assign' });

export type PutAssignmentRulesInput = z.infer<typeof PutAssignmentRulesBody>;
export type AssignmentRulesView = z.infer<typeof AssignmentRules>;
export type AssignInput = z.infer<typeof AssignBody>;
