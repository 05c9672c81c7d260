import * as z from 'zod';
import { Id, IsoDate, PageQuery, ShortText, pageOf } from '../shared/schemas';
import { Quote } from '../quotes/schemas';
import { CONTRACT_STATUSES, RENEWAL_MODES } from './model';

const SpecialTerms = z
  .string()
  .trim()
  .min(1)
  .max(20_000)
  .meta({ description: "Terms beyond the template's standard text (`contract.specialTerms`); the approval policy can route them" });

export const CreateTemplateBody = z
  .strictObject({
    name: ShortText(120),
    body: z.string().min(1).max(100_000).meta({
      description: 'Liquid template (HTML). Placeholders: company, today, customer.*, contacts[], opportunity.name, quote.* (lines, totals), contract.*; `| money` formats amounts',
    }),
    replaces: Id.optional().meta({ description: 'A template id: the new one becomes its next version' }),
  })
  .meta({ id: 'CreateContractTemplate' });

export const ContractTemplate = z
  .object({
    id: z.string(),
    templateKey: z.string(),
    version: z.number().int(),
    name: z.string(),
    body: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'ContractTemplate' });

export const TemplateList = pageOf(ContractTemplate, 'ContractTemplatePage');
export const ListTemplatesQuery = z.strictObject({ ...PageQuery });

export const RenewalMode = z.enum(RENEWAL_MODES);
export const ContractStatus = z.enum(CONTRACT_STATUSES);

export const CreateContractBody = z
  .strictObject({
    templateId: Id,
    startDate: IsoDate,
    endDate: IsoDate.optional(),
    renewal: RenewalMode.optional().meta({ description: 'Default `none`' }),
    title: ShortText(200).optional().meta({ description: 'Default: the opportunity name' }),
    specialTerms: SpecialTerms.optional(),
  })
  .refine((body) => body.endDate === undefined || body.endDate >= body.startDate, { message: 'Must not be before startDate', path: ['endDate'] })
  .meta({ id: 'CreateContract' });

export const UpdateContractBody = z
  .strictObject({
    title: ShortText(200).optional(),
    startDate: IsoDate.optional(),
    endDate: IsoDate.nullable().optional(),
    renewal: RenewalMode.optional(),
    specialTerms: SpecialTerms.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' })
  .meta({ id: 'UpdateContract' });

export const Contract = z
  .object({
    id: z.string(),
    opportunityId: z.string(),
    customerId: z.string(),
    quoteId: z.string(),
    templateId: z.string(),
    owner: z.string(),
    title: z.string(),
    body: z.string().meta({ description: 'The rendered contract text (HTML)' }),
    moneyTerms: Quote.pick({ currency: true, lines: true, discountPercent: true, totals: true }),
    startDate: z.string(),
    endDate: z.string().optional(),
    renewal: RenewalMode,
    status: ContractStatus,
    revision: z.number().int().meta({ description: 'Counts up when a rejected contract is revised into a new draft' }),
    specialTerms: z.string().optional(),
    submittedBy: z.string().optional(),
    submittedAt: z.string().optional(),
    approvedAt: z.string().optional(),
    rejection: z
      .object({
        reason: z.enum(['rejected', 'approval_timed_out', 'approval_failed']),
        comment: z.string().optional(),
        by: z.string().optional(),
        at: z.string(),
      })
      .optional()
      .meta({ description: 'Why the current revision was rejected' }),
    signedBy: z.string().optional(),
    signedAt: z.string().optional(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Contract' });

export const ContractIdParams = z.strictObject({ id: Id });

export const SignContractBody = z
  .strictObject({
    signedBy: ShortText(200).meta({ description: "Who signed for the customer" }),
    signedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'SignContract' });
export const ListContractsQuery = z.strictObject({
  ...PageQuery,
  status: ContractStatus.optional(),
  customer: Id.optional(),
  opportunity: Id.optional(),
});
export const ContractPage = pageOf(Contract, 'ContractPage');

export type CreateTemplateInput = z.infer<typeof CreateTemplateBody>;
export type ContractTemplateView = z.infer<typeof ContractTemplate>;
export type CreateContractInput = z.infer<typeof CreateContractBody>;
export type UpdateContractInput = z.infer<typeof UpdateContractBody>;
export type ContractView = z.infer<typeof Contract>;
export type SignContractInput = z.infer<typeof SignContractBody>;
export type ListContractsInput = z.infer<typeof ListContractsQuery>;
