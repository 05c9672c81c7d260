import { CustomAttributeType, createSchema } from 'electrodb';
import { ROLES, type Role } from '../shared/actor';
import type { StoredMoney } from '../shared/money';
import { SERVICE_NAME } from '../table';

/** Who approves a level of the policy: a role, named users, or a role's users flagged as directors. */
export interface ApproverSpec {
  role?: Role;
  users?: string[];
  directorsOnly?: boolean;
}

/** When a level applies: any of these (OR); a level without conditions applies to every contract. */
export interface LevelConditions {
  discountPercentAbove?: string;
  totalAtLeast?: StoredMoney;
  nonStandardTerms?: true;
}

export interface PolicyLevel {
  name: string;
  approvers: ApproverSpec;
  when?: LevelConditions;
  timeoutSeconds?: number;
  escalateTo: ApproverSpec;
  escalationTimeoutSeconds?: number;
}

export interface ApprovalPolicyRules {
  levels: PolicyLevel[];
  /** Users flagged as directors, for levels with `directorsOnly`. */
  directors: string[];
}

/** A tenant's approval policy: one item per tenant, absent until an admin first saves one (the default applies). */
export const approvalPolicySchema = createSchema({
  model: { entity: 'approvalPolicy', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    levels: { type: CustomAttributeType<PolicyLevel[]>('any'), required: true },
    directors: { type: 'list', items: { type: 'string' }, required: true },
    updatedAt: { type: 'string', required: true },
    updatedBy: { type: 'string', required: true },
    version: { type: 'number', required: true },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});

export const APPROVAL_REQUEST_STATUSES = ['pending', 'deciding', 'approved', 'rejected', 'timed_out', 'cancelled'] as const;
export type ApprovalRequestStatus = (typeof APPROVAL_REQUEST_STATUSES)[number];

/**
 * One waiting step of an approval workflow: a level of the chain (or its escalation) for one revision of a
 * contract. Its id is derived from those, so a retried workflow task finds its own request instead of making a
 * second one. The task token stays here, server-side; it is never part of a response.
 * `deciding` is the short claim between "this decision won" and "the workflow accepted it".
 */
export const approvalRequestSchema = createSchema({
  model: { entity: 'approvalRequest', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    requestId: { type: 'string', required: true, readOnly: true },
    contractId: { type: 'string', required: true, readOnly: true },
    revision: { type: 'number', required: true, readOnly: true },
    levelIndex: { type: 'number', required: true, readOnly: true },
    levelName: { type: 'string', required: true, readOnly: true },
    escalated: { type: 'boolean', required: true, readOnly: true },
    approverRole: { type: ROLES },
    approverUsers: { type: 'list', items: { type: 'string' } },
    contractTitle: { type: 'string', required: true },
    contractOwner: { type: 'string', required: true },
    submittedBy: { type: 'string', required: true },
    /** Who approved an earlier level of this revision: separation of duties keeps them from deciding this one. */
    priorDeciders: { type: 'list', items: { type: 'string' } },
    total: { type: CustomAttributeType<StoredMoney>('any'), required: true },
    taskToken: { type: 'string', required: true },
    dueAt: { type: 'string', required: true },
    status: { type: APPROVAL_REQUEST_STATUSES, required: true },
    decision: { type: ['approve', 'reject'] as const },
    decidedBy: { type: 'string' },
    decidedAt: { type: 'string' },
    comment: { type: 'string' },
    via: { type: ['api', 'link'] as const },
    closedReason: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
    version: { type: 'number', required: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'requestId'] },
      sk: { field: 'sk', composite: [] },
    },
    byContract: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'contractId'] },
      sk: { field: 'gsi1sk', composite: ['createdAt', 'requestId'] },
    },
    byStatus: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'status'] },
      sk: { field: 'gsi2sk', composite: ['dueAt', 'requestId'] },
    },
  },
});

/**
 * An admin's revocation of a user's approval links: every link made for that user up to `revokedBefore` stops
 * working (links made later work). One item per tenant and user; a later revocation moves the mark forward.
 */
export const approvalLinkRevocationSchema = createSchema({
  model: { entity: 'approvalLinkRevocation', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    userId: { type: 'string', required: true, readOnly: true },
    revokedBefore: { type: 'string', required: true },
    revokedBy: { type: 'string', required: true },
    reason: { type: 'string' },
  },
  indexes: {
    byUser: {
      pk: { field: 'pk', composite: ['tenantId', 'userId'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});
