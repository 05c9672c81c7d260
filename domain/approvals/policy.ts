/**
 * Pure rules of contract approval: which levels a contract needs under the tenant's policy, and who may decide
 * a level. No I/O.
 *
 * Decisions written down here:
 * - A level applies when it has no `when`, or when ANY of its conditions holds (OR): "finance when the total is
 *   at least 50,000.00 or any discount exceeds 20%".
 * - Amount thresholds are in the tenant's base currency. There are no exchange rates in Salesflow, so a contract
 *   in another currency meets every amount condition: it is routed to more approvers, never fewer.
 * - "Any discount" is the largest of: the quote-level discount, each line's own discount (a discount amount
 *   counted as a percent of its line's gross) and the effective discount of the whole quote.
 * - `directorsOnly` narrows a role to the users the policy lists as directors ("a finance user flagged as
 *   director"); it is resolved to those users when the chain is planned.
 */
import Big from 'big.js';
import type { Approvers, ApprovalChainLevel as ChainLevel } from '../contracts';
import type { Actor } from '../shared/actor';
import type { ApprovalPolicyRules, ApproverSpec, LevelConditions } from './model';

export type { ApprovalPolicyRules, ApproverSpec, LevelConditions, PolicyLevel } from './model';
/** Who may decide one step, and one planned level: the contract keeps the chain (domain/contracts/model.ts). */
export type { Approvers, ApprovalChainLevel as ChainLevel } from '../contracts';

export interface ContractFacts {
  total: { amount: number; currency: string };
  largestDiscountPercent: string;
  nonStandardTerms: boolean;
}

/** The longest a step may wait: the local runner's timers overflow past ~24.8 days; AWS allows far more. */
export const MAX_STEP_TIMEOUT_SECONDS = 21 * 24 * 60 * 60;

/** A new tenant's policy: a manager approves every contract; finance too at 50,000.00 or a discount over 20%. */
export function defaultPolicy(baseCurrency: string): ApprovalPolicyRules {
  return {
    levels: [
      { name: 'Manager', approvers: { role: 'manager' }, escalateTo: { role: 'admin' } },
      {
        name: 'Finance',
        approvers: { role: 'finance' },
        when: { totalAtLeast: { amount: 5_000_000, currency: baseCurrency }, discountPercentAbove: '20' },
        escalateTo: { role: 'admin' },
      },
    ],
    directors: [],
  };
}

/** The levels a contract goes through, in policy order, with their timeouts (stage defaults where unset). */
export function planChain(
  policy: ApprovalPolicyRules,
  facts: ContractFacts,
  defaults: { timeoutSeconds: number; escalationTimeoutSeconds: number },
): ChainLevel[] {
  const chain: ChainLevel[] = [];
  for (const level of policy.levels) {
    const reasons = reasonsToApply(level.when, facts);
    if (reasons.length === 0) continue;
    chain.push({
      index: chain.length,
      name: level.name,
      approvers: resolveApprovers(level.approvers, policy.directors),
      escalateTo: resolveApprovers(level.escalateTo, policy.directors),
      timeoutSeconds: Math.min(level.timeoutSeconds ?? defaults.timeoutSeconds, MAX_STEP_TIMEOUT_SECONDS),
      escalationTimeoutSeconds: Math.min(level.escalationTimeoutSeconds ?? defaults.escalationTimeoutSeconds, MAX_STEP_TIMEOUT_SECONDS),
      reasons,
    });
  }
  return chain;
}

function reasonsToApply(when: LevelConditions | undefined, facts: ContractFacts): string[] {
  if (!when || Object.keys(when).length === 0) return ['every contract'];
  const reasons: string[] = [];
  if (when.totalAtLeast) {
    const threshold = when.totalAtLeast;
    if (facts.total.currency !== threshold.currency) {
      reasons.push(`total in ${facts.total.currency}, threshold in ${threshold.currency} (no exchange rate: routed to be safe)`);
    } else if (facts.total.amount >= threshold.amount) {
      reasons.push(`total ${formatAmount(facts.total.amount)} ${facts.total.currency} ≥ ${formatAmount(threshold.amount)}`);
    }
  }
  if (when.discountPercentAbove !== undefined && new Big(facts.largestDiscountPercent).gt(when.discountPercentAbove)) {
    reasons.push(`discount ${facts.largestDiscountPercent}% > ${when.discountPercentAbove}%`);
  }
  if (when.nonStandardTerms && facts.nonStandardTerms) reasons.push('non-standard terms');
  return reasons;
}

function resolveApprovers(spec: ApproverSpec, directors: readonly string[]): Approvers {
  if (spec.directorsOnly) return { ...(spec.role && { role: spec.role }), users: [...directors] };
  return { ...(spec.role && { role: spec.role }), ...(spec.users && { users: [...spec.users] }) };
}

/** Whether the actor is one of the approvers (role and named users must both hold where both are given). */
export function isApprover(approvers: Approvers, actor: Actor): boolean {
  if (!approvers.role && !approvers.users?.length) return false;
  if (approvers.role && !actor.roles.includes(approvers.role)) return false;
  if (approvers.users && !approvers.users.includes(actor.userId)) return false;
  return true;
}

/** Separation of duties: whoever submitted or owns the contract never approves it. */
export function isInvolvedInContract(actor: Actor, contract: { submittedBy: string; owner: string }): boolean {
  return actor.userId === contract.submittedBy || actor.userId === contract.owner;
}

export function describeApprovers(approvers: Approvers): string {
  const users = approvers.users?.join(', ');
  if (approvers.role && users) return `${approvers.role} (${users})`;
  return approvers.role ?? users ?? 'nobody';
}

/**
 * The largest discount anywhere in the money terms, as a decimal percent string: the quote-level discount, each
 * line's own discount, and each line's and the whole quote's distance below the catalog (1 − net ÷ list, where a
 * line charged below its catalog price has a list above its gross; without a list, the gross).
 */
export function largestDiscountPercent(terms: {
  discountPercent?: string;
  lines: ReadonlyArray<{ discountPercent?: string; totals: { list?: { amount: number }; gross: { amount: number }; discount: { amount: number } } }>;
  totals: { list?: { amount: number }; subtotal: { amount: number }; discount: { amount: number } };
}): string {
  const belowList = (list: number, net: number): Big[] => (list > 0 && net < list ? [new Big(list - net).times(100).div(list)] : []);
  const candidates: Big[] = [new Big(terms.discountPercent ?? '0')];
  for (const { discountPercent, totals } of terms.lines) {
    if (discountPercent !== undefined) candidates.push(new Big(discountPercent));
    candidates.push(...belowList(totals.list?.amount ?? totals.gross.amount, totals.gross.amount - totals.discount.amount));
  }
  const { list, subtotal, discount } = terms.totals;
  candidates.push(...belowList(list?.amount ?? subtotal.amount, subtotal.amount - discount.amount));
  const largest = candidates.reduce((max, value) => (value.gt(max) ? value : max));
  return largest.round(4, Big.roundHalfEven).toString();
}

function formatAmount(minor: number): string {
  return new Big(minor).div(100).toFixed(2);
}
