/**
 * Pure rules of assignment: which rule applies to a record, which reps may take it, and which one a strategy
 * picks. No I/O. `ticket` is the rule's persisted round-robin counter, taken atomically per assignment: it
 * rotates turns, and breaks every tie, so no rep is ever favoured by seniority or by id.
 */
import Big from 'big.js';
import type { AssignmentRule } from './model';

export const STRATEGIES = ['round_robin', 'least_loaded', 'best_match'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export type RecordKind = 'customer' | 'opportunity';
export type Experience = 'junior' | 'mid' | 'senior';

export type { AssignmentRule, RuleConditions } from './model';

export interface RecordFacts {
  kind: RecordKind;
  segment?: string;
  industry?: string;
  territory?: string;
  source?: string;
  amount?: { amount: number; currency: string };
}

export interface Candidate {
  userId: string;
  experience: Experience;
  industries: string[];
  territory?: string;
  available: boolean;
  /** Open work of the record's kind, and how much the rep may have. */
  load: number;
  capacity: number;
}

/** The first rule (in order) whose conditions the record meets. */
export function matchRule(rules: readonly AssignmentRule[], record: RecordFacts): AssignmentRule | undefined {
  return rules.find((rule) => appliesTo(rule, record));
}

function appliesTo(rule: AssignmentRule, record: RecordFacts): boolean {
  if (rule.appliesTo && !rule.appliesTo.includes(record.kind)) return false;
  const when = rule.when ?? {};
  const among = (allowed: string[] | undefined, value: string | undefined) => !allowed || (value !== undefined && allowed.includes(value));
  if (!among(when.segments, record.segment) || !among(when.industries, record.industry)) return false;
  if (!among(when.territories, record.territory) || !among(when.sources, record.source)) return false;
  if (when.minAmount || when.maxAmount) {
    const amount = record.amount;
    if (!amount) return false;
    if (when.minAmount && (amount.currency !== when.minAmount.currency || amount.amount < when.minAmount.amount)) return false;
    if (when.maxAmount && (amount.currency !== when.maxAmount.currency || amount.amount > when.maxAmount.amount)) return false;
  }
  return true;
}

/** Reps who may take the record: in the pool, available, below capacity, and of its territory (or of none). */
export function eligible(rule: AssignmentRule, candidates: readonly Candidate[], record: RecordFacts): Candidate[] {
  return candidates
    .filter((candidate) => !rule.reps || rule.reps.includes(candidate.userId))
    .filter((candidate) => candidate.available && candidate.load < candidate.capacity)
    .filter((candidate) => candidate.territory === undefined || record.territory === undefined || candidate.territory === record.territory)
    .sort((a, b) => (a.userId < b.userId ? -1 : 1));
}

const EXPERIENCE_RANK: Record<Experience, number> = { junior: 0, mid: 1, senior: 2 };

/** The rep the rule's strategy picks among the eligible ones (sorted by id, only so that turns are stable). */
export function pick(rule: AssignmentRule, pool: readonly Candidate[], record: RecordFacts, ticket: number): Candidate | undefined {
  if (pool.length === 0) return undefined;
  const turn = (among: readonly Candidate[]) => among[((ticket % among.length) + among.length) % among.length];
  if (rule.strategy === 'round_robin') return turn(pool);
  if (rule.strategy === 'least_loaded') return turn(lowest(pool, loadRatio));
  const large = rule.largeDealAmount !== undefined && record.amount !== undefined && isAtLeast(record.amount, rule.largeDealAmount);
  const best = highest(pool, (candidate) => matchScore(candidate, record, large));
  return turn(lowest(best, loadRatio));
}

/**
 * The pick of the assignment holding `ticket`, when the loads in `pool` were read before ticket `seen` was
 * issued. The assignments `seen … ticket − 1` are in flight and may be missing from those loads, so they are
 * replayed first, each adding one to its rep's load. Parallel assignments that read the same loads thus decide
 * exactly as if they had run one after another. (One that already committed and shows in the loads is counted
 * twice: a slight overcorrection, never a pile-on. For best_match the records in flight are taken to be like
 * this one.)
 */
export function pickInTurn(rule: AssignmentRule, pool: readonly Candidate[], record: RecordFacts, seen: number, ticket: number): Candidate | undefined {
  if (rule.strategy === 'round_robin') return pick(rule, pool, record, ticket);
  const loads = pool.map((candidate) => ({ ...candidate }));
  for (let turn = Math.max(seen, ticket - MAX_REPLAY); turn < ticket; turn += 1) {
    const open = loads.filter((candidate) => candidate.load < candidate.capacity);
    const taken = pick(rule, open, record, turn);
    if (!taken) return undefined;
    taken.load += 1;
  }
  const open = loads.filter((candidate) => candidate.load < candidate.capacity);
  const chosen = pick(rule, open, record, ticket);
  return chosen && pool.find((candidate) => candidate.userId === chosen.userId);
}

/** More assignments in flight than this at once are replayed only in part. */
const MAX_REPLAY = 1000;

/** Skills and experience: a shared industry counts 3; on a large deal each experience level counts 4. */
export function matchScore(candidate: Candidate, record: RecordFacts, largeDeal: boolean): number {
  const industry = record.industry !== undefined && candidate.industries.includes(record.industry) ? 3 : 0;
  const experience = largeDeal ? 4 * EXPERIENCE_RANK[candidate.experience] : 0;
  return industry + experience;
}

/** Open work ÷ capacity, exact (no float ties that are not ties). */
function loadRatio(candidate: Candidate): Big {
  return candidate.capacity === 0 ? new Big(1) : new Big(candidate.load).div(candidate.capacity);
}

function lowest(pool: readonly Candidate[], measure: (candidate: Candidate) => Big): Candidate[] {
  const values = pool.map(measure);
  const min = values.reduce((a, b) => (b.lt(a) ? b : a));
  return pool.filter((_, index) => values[index]!.eq(min));
}

function highest(pool: readonly Candidate[], measure: (candidate: Candidate) => number): Candidate[] {
  const values = pool.map(measure);
  const max = Math.max(...values);
  return pool.filter((_, index) => values[index] === max);
}

function isAtLeast(amount: { amount: number; currency: string }, threshold: { amount: number; currency: string }): boolean {
  return amount.currency === threshold.currency && amount.amount >= threshold.amount;
}
