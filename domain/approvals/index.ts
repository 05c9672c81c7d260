/** The approvals context's public module: policy, requests, decisions (by API or signed link), the workflow's tasks. */
export { getApprovalPolicy, putApprovalPolicy, readPolicy } from './approval-policy';
export { contractApprovalTrail, decideApproval, listApprovals } from './decisions';
export { createApprovalLinks, decideByLink, describeLink, revokeApprovalLinks } from './link-decisions';
export { renderLinkDecided, renderLinkPage } from './link-page';
export * from './workflow';
export { approvalRequestId, findRequest, readRequest, toRequestView, type ApprovalRequestItem } from './requests';
export { describeApprovers } from './policy';
