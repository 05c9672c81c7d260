import * as z from 'zod';
import { ROLES } from '../shared/actor';
import { Id, Money, PageQuery, Percent, ShortText, UserId, pageOf } from '../shared/schemas';
import { APPROVAL_REQUEST_STATUSES } from './model';
import { MAX_STEP_TIMEOUT_SECONDS } from './policy';

const StepTimeout = z
  .number()
  .int()
  .min(1)
  .max(MAX_STEP_TIMEOUT_SECONDS)
  .meta({ description: 'Seconds a step waits before it escalates (or, escalated, before the contract is rejected). Default: the stage config' });

export const ApproverSpec = z
  .strictObject({
    role: z.enum(ROLES).optional(),
    users: z.array(UserId).min(1).max(20).optional(),
    directorsOnly: z.boolean().optional().meta({ description: "Only the role's users listed in the policy's `directors`" }),
  })
  .refine((spec) => spec.role !== undefined || spec.users !== undefined, { message: 'Give a role or users' })
  .refine((spec) => !spec.directorsOnly || (spec.role !== undefined && spec.users === undefined), {
    message: 'directorsOnly narrows a role: give role, not users',
    path: ['directorsOnly'],
  })
  .meta({ id: 'ApproverSpec' });

export const PolicyLevel = z
  .strictObject({
    name: ShortText(60),
    approvers: ApproverSpec,
    when: z
      .strictObject({
        discountPercentAbove: Percent.optional(),
        totalAtLeast: Money.optional().meta({ description: 'In the base currency; a contract in another currency always meets it' }),
        nonStandardTerms: z.literal(true).optional().meta({ description: 'The contract has special terms' }),
      })
      .optional()
      .meta({ description: 'The level applies when any condition holds; without `when`, to every contract' }),
    timeoutSeconds: StepTimeout.optional(),
    escalateTo: ApproverSpec,
    escalationTimeoutSeconds: StepTimeout.optional(),
  })
  .meta({ id: 'ApprovalPolicyLevel' });

export const PutApprovalPolicyBody = z
  .strictObject({
    levels: z.array(PolicyLevel).min(1).max(10),
    directors: z.array(UserId).max(50).optional().meta({ description: 'Users flagged as directors (for `directorsOnly`)' }),
  })
  .superRefine((policy, ctx) => {
    const usesDirectors = policy.levels.some((level) => level.approvers.directorsOnly || level.escalateTo.directorsOnly);
    if (usesDirectors && !policy.directors?.length) {
      ctx.addIssue({ code: 'custom', path: ['directors'], message: 'A level is for directors only: name at least one director' });
    }
  })
  .meta({ id: 'PutApprovalPolicy' });

export const ApprovalPolicy = z
  .object({
    levels: z.array(PolicyLevel),
    directors: z.array(z.string()),
    version: z.number().int().meta({ description: '0 while the tenant uses the default policy' }),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'ApprovalPolicy' });

const Approvers = z.object({ role: z.enum(ROLES).optional(), users: z.array(z.string()).optional() });

export const ApprovalRequestStatus = z.enum(APPROVAL_REQUEST_STATUSES);

export const ApprovalRequest = z
  .object({
    id: z.string(),
    contractId: z.string(),
    contractTitle: z.string(),
    revision: z.number().int().meta({ description: 'The contract revision this request is for' }),
    level: z.number().int().meta({ description: '1-based position in the approval chain' }),
    levelName: z.string(),
    escalated: z.boolean(),
    approvers: Approvers,
    total: Money,
    dueAt: z.string(),
    status: ApprovalRequestStatus,
    decision: z.enum(['approve', 'reject']).optional(),
    decidedBy: z.string().optional(),
    decidedAt: z.string().optional(),
    comment: z.string().optional(),
    via: z.enum(['api', 'link']).optional(),
    closedReason: z.string().optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'ApprovalRequest' });

export const ApprovalRequestPage = pageOf(ApprovalRequest, 'ApprovalRequestPage');

export const ListApprovalsQuery = z.strictObject({
  ...PageQuery,
  status: ApprovalRequestStatus.optional().meta({
    description: '`pending` (default): the requests the caller may decide. Any other status: the ones the caller decided',
  }),
  contract: Id.optional().meta({ description: "Only this contract's requests (all its revisions), with the same rules by `status`" }),
});

export const ApprovalIdParams = z.strictObject({ id: z.string().min(1).max(80).regex(/^[0-9A-Za-z_-]+$/, 'Must be an approval id') });

const Comment = z.string().trim().min(1).max(2000);

export const DecisionBody = z
  .strictObject({
    decision: z.enum(['approve', 'reject']),
    comment: Comment.optional(),
  })
  .refine((body) => body.decision !== 'reject' || body.comment !== undefined, { message: 'A rejection needs a comment (the reason)', path: ['comment'] })
  .meta({ id: 'ApprovalDecision' });

export const ApprovalLinks = z
  .object({
    approveUrl: z.string(),
    rejectUrl: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'ApprovalLinks', description: 'One-time links for the caller; opening one shows the decision, POSTing it decides' });

export const LinkParams = z.strictObject({
  token: z.string().min(20).max(2048).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'Must be an approval link token'),
});

export const LinkDecisionBody = z
  .strictObject({
    comment: Comment.optional().meta({ description: 'Needed to reject: the reason' }),
    decision: z
      .enum(['approve', 'reject'])
      .optional()
      .meta({ description: "What the caller means to decide (the link page's button sends it): refused with a 400 unless it is the link's own decision" }),
  })
  .meta({
    id: 'ApprovalLinkDecision',
    description: 'The decision is the link\'s own. Also accepted as an HTML form (`application/x-www-form-urlencoded`), where an empty field counts as not given',
  });

export const RevokeLinksBody = z
  .strictObject({
    approver: UserId.meta({ description: 'The user whose approval links made until now stop working' }),
    reason: ShortText(500).optional(),
  })
  .meta({ id: 'RevokeApprovalLinks' });

export const LinkRevocation = z
  .object({
    approver: z.string(),
    revokedBefore: z.string().meta({ description: 'Every link made for the approver up to this time answers 410; links made later work' }),
    revokedBy: z.string(),
    reason: z.string().optional(),
  })
  .meta({ id: 'ApprovalLinkRevocation' });

export const ApprovalLinkView = z
  .object({
    requestId: z.string(),
    contractId: z.string(),
    contractTitle: z.string(),
    customerName: z.string(),
    level: z.number().int().meta({ description: '1-based position in the approval chain' }),
    levelName: z.string(),
    escalated: z.boolean(),
    reasons: z.array(z.string()).meta({ description: 'Why this level applies to the contract (from its planned chain)' }),
    decision: z.enum(['approve', 'reject']),
    approver: z.string(),
    status: ApprovalRequestStatus,
    total: Money,
    expiresAt: z.string(),
  })
  .meta({ id: 'ApprovalLinkView', description: 'What the link would decide; opening it changes nothing' });

export const ChainLevelView = z.object({
  level: z.number().int(),
  name: z.string(),
  approvers: Approvers,
  escalateTo: Approvers,
  timeoutSeconds: z.number().int(),
  escalationTimeoutSeconds: z.number().int(),
  reasons: z.array(z.string()),
});

export const ContractApprovalTrail = z
  .object({
    contractId: z.string(),
    status: z.string(),
    revision: z.number().int(),
    chain: z.array(ChainLevelView).meta({ description: "The current revision's planned levels (empty before submission)" }),
    requests: z.array(ApprovalRequest).meta({ description: 'Every request of every revision, oldest first' }),
  })
  .meta({ id: 'ContractApprovalTrail' });

export type PutApprovalPolicyInput = z.infer<typeof PutApprovalPolicyBody>;
export type ApprovalPolicyView = z.infer<typeof ApprovalPolicy>;
export type ApprovalRequestView = z.infer<typeof ApprovalRequest>;
export type ListApprovalsInput = z.infer<typeof ListApprovalsQuery>;
export type DecisionInput = z.infer<typeof DecisionBody>;
export type ContractApprovalTrailView = z.infer<typeof ContractApprovalTrail>;
export type ApprovalLinkViewType = z.infer<typeof ApprovalLinkView>;
