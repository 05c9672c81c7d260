/** The contracts context's public module: templates, contracts made from accepted quotes, submission and signature. */
export { createTemplate, listTemplates } from './templates';
export {
  contractDocument,
  createContract,
  getContract,
  listContracts,
  readContract,
  statusChange,
  toContractView,
  updateContract,
  type ContractItem,
} from './contracts';
export { reviseContract, signContract, submitContract } from './submission';
export * from './approval-engine';
export type { ApprovalChainLevel, Approvers, ContractRejection, MoneyTerms } from './model';
