import { CustomAttributeType, createSchema } from 'electrodb';
import type { Role } from '../shared/actor';
import type { StoredQuoteLine, StoredQuoteTotals } from '../shared/money';
import { RECORD_STAMPS } from '../shared/record-attributes';
import { SERVICE_NAME } from '../table';

/** The accepted quote's money terms, copied into the contract: what is signed does not change with the quote. */
export interface MoneyTerms {
  currency: string;
  lines: StoredQuoteLine[];
  discountPercent?: string;
  totals: StoredQuoteTotals;
}

/** Who may decide one approval step: a role, named users, or a role narrowed to named users (both must hold). */
export interface Approvers {
  role?: Role;
  users?: string[];
}

/** One level of the approval chain planned for a contract revision (domain/approvals plans it). */
export interface ApprovalChainLevel {
  index: number;
  name: string;
  approvers: Approvers;
  escalateTo: Approvers;
  timeoutSeconds: number;
  escalationTimeoutSeconds: number;
  /** Why this level applies, for the approval trail. */
  reasons: string[];
}

export interface ContractRejection {
  reason: 'rejected' | 'approval_timed_out' | 'approval_failed';
  comment?: string;
  by?: string;
  at: string;
}

export const CONTRACT_STATUSES = ['draft', 'pending_approval', 'approved', 'rejected', 'signed', 'active', 'expired', 'terminated', 'renewed'] as const;
export const RENEWAL_MODES = ['none', 'manual', 'auto'] as const;

/**
 * A contract template version. Versions of one template share `templateKey` (the first version's id) and count
 * up in `templateVersion`; a version never changes, so a contract always shows the text it was made from.
 */
export const contractTemplateSchema = createSchema({
  model: { entity: 'contractTemplate', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    templateId: { type: 'string', required: true, readOnly: true },
    templateKey: { type: 'string', required: true, readOnly: true },
    templateVersion: { type: 'number', required: true, readOnly: true, padding: { length: 4, char: '0' } },
    name: { type: 'string', required: true, readOnly: true },
    body: { type: 'string', required: true, readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    createdBy: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'templateId'] },
      sk: { field: 'sk', composite: [] },
    },
    byKey: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId'] },
      sk: { field: 'gsi1sk', composite: ['templateKey', 'templateVersion'] },
    },
  },
});

/** A contract made from an accepted quote: the rendered text and a snapshot of the money terms. */
export const contractSchema = createSchema({
  model: { entity: 'contract', version: '1', service: SERVICE_NAME },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    contractId: { type: 'string', required: true, readOnly: true },
    opportunityId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    quoteId: { type: 'string', required: true, readOnly: true },
    templateId: { type: 'string', required: true },
    owner: { type: 'string', required: true },
    title: { type: 'string', required: true },
    body: { type: 'string', required: true },
    moneyTerms: { type: CustomAttributeType<MoneyTerms>('any'), required: true },
    startDate: { type: 'string', required: true },
    endDate: { type: 'string' },
    renewal: { type: RENEWAL_MODES, required: true },
    status: { type: CONTRACT_STATUSES, required: true },
    /** Counts up each time a rejected contract is revised into a new draft; approvals are per revision. */
    revision: { type: 'number', required: true, default: 1 },
    /** Terms beyond the template's standard text; a policy level can require approval for them. */
    specialTerms: { type: 'string' },
    submittedBy: { type: 'string' },
    submittedAt: { type: 'string' },
    /** The approval levels planned for the current revision (set by the workflow when it starts). */
    approvalChain: { type: CustomAttributeType<ApprovalChainLevel[]>('any') },
    approvedAt: { type: 'string' },
    /** Why the current revision was rejected: `rejected` (by an approver), `approval_timed_out`, `approval_failed`. */
    rejection: { type: CustomAttributeType<ContractRejection>('any') },
    signedBy: { type: 'string' },
    signedAt: { type: 'string' },
    ...RECORD_STAMPS,
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'contractId'] },
      sk: { field: 'sk', composite: [] },
    },
    byStatus: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'status'] },
      sk: { field: 'gsi1sk', composite: ['startDate', 'contractId'] },
    },
    byCustomer: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'customerId'] },
      sk: { field: 'gsi2sk', composite: ['startDate', 'contractId'] },
    },
    byOpportunity: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'opportunityId'] },
      sk: { field: 'gsi3sk', composite: ['startDate', 'contractId'] },
    },
  },
});
