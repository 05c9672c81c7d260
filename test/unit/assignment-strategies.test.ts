import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eligible, matchRule, matchScore, pick, pickInTurn, type AssignmentRule, type Candidate, type RecordFacts } from '../../domain/assignment/strategies';

const rep = (userId: string, fields: Partial<Candidate> = {}): Candidate => ({
  userId,
  experience: 'mid',
  industries: [],
  available: true,
  load: 0,
  capacity: 10,
  ...fields,
});
const lead: RecordFacts = { kind: 'customer', segment: 'smb', industry: 'software', territory: 'emea', source: 'web' };
const rule = (strategy: AssignmentRule['strategy'], extra: Partial<AssignmentRule> = {}): AssignmentRule => ({ name: 'r', strategy, ...extra });

/** Assigns `rounds` records one by one, each adding to the chosen rep's load. */
function simulate(strategy: AssignmentRule['strategy'], reps: Candidate[], rounds: number, record = lead): Record<string, number> {
  const given: Record<string, number> = Object.fromEntries(reps.map((r) => [r.userId, 0]));
  for (let ticket = 0; ticket < rounds; ticket += 1) {
    const pool = eligible(rule(strategy), reps, record);
    const chosen = pick(rule(strategy), pool, record, ticket);
    if (!chosen) break;
    chosen.load += 1;
    given[chosen.userId]! += 1;
  }
  return given;
}

describe('matching rules', () => {
  it('takes the first rule, in order, whose conditions all hold', () => {
    const rules: AssignmentRule[] = [
      { name: 'deals only', appliesTo: ['opportunity'], strategy: 'round_robin' },
      { name: 'enterprise', when: { segments: ['enterprise'] }, strategy: 'best_match' },
      { name: 'emea web', when: { territories: ['emea'], sources: ['web', 'referral'] }, strategy: 'least_loaded' },
      { name: 'rest', strategy: 'round_robin' },
    ];
    expect(matchRule(rules, lead)?.name).toBe('emea web');
    expect(matchRule(rules, { ...lead, source: 'trade-show' })?.name).toBe('rest');
    expect(matchRule(rules, { ...lead, kind: 'opportunity' })?.name).toBe('deals only');
    expect(matchRule([], lead)).toBeUndefined();
  });

  it('matches deal size only in the same currency', () => {
    const big: AssignmentRule = { name: 'big', when: { minAmount: { amount: 10_000_000, currency: 'EUR' } }, strategy: 'best_match' };
    const deal = (amount: number, currency = 'EUR'): RecordFacts => ({ kind: 'opportunity', amount: { amount, currency } });
    expect(matchRule([big], deal(10_000_000))?.name).toBe('big');
    expect(matchRule([big], deal(9_999_999))).toBeUndefined();
    expect(matchRule([big], deal(50_000_000, 'USD'))).toBeUndefined();
    expect(matchRule([big], { kind: 'opportunity' })).toBeUndefined();
  });
});

describe('eligibility', () => {
  it('skips paused and full reps, reps of another territory, and reps outside the pool', () => {
    const reps = [rep('a'), rep('b', { available: false }), rep('c', { load: 10 }), rep('d', { territory: 'apac' }), rep('e', { territory: 'emea' }), rep('f')];
    expect(eligible(rule('round_robin'), reps, lead).map((r) => r.userId)).toEqual(['a', 'e', 'f']);
    expect(eligible(rule('round_robin', { reps: ['e', 'c'] }), reps, lead).map((r) => r.userId)).toEqual(['e']);
    // A record without territory goes to anyone.
    expect(eligible(rule('round_robin'), reps, { kind: 'customer' }).map((r) => r.userId)).toEqual(['a', 'd', 'e', 'f']);
  });

  it('has nobody to pick from an empty pool', () => {
    expect(pick(rule('least_loaded'), [], lead, 0)).toBeUndefined();
  });
});

describe('round robin', () => {
  it('is exactly fair over any number of rounds, whatever the order reps are listed in', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 1000 }), (size, rounds, seed) => {
        const reps = Array.from({ length: size }, (_, index) => rep(`rep-${(index * 7 + seed) % 101}-${index}`, { capacity: 1000 }));
        const counts = Object.values(simulate('round_robin', reps.reverse(), rounds));
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(rounds);
      }),
    );
  });

  it('never gives a full rep more than its capacity', () => {
    const counts = simulate('round_robin', [rep('a', { capacity: 3 }), rep('b', { capacity: 100 })], 20);
    expect(counts).toEqual({ a: 3, b: 17 });
  });
});

describe('least loaded', () => {
  it('fills the least loaded first (by open work ÷ capacity) and ends level', () => {
    const reps = [rep('a', { load: 6 }), rep('b'), rep('c', { load: 3 })];
    expect(simulate('least_loaded', reps, 3)).toEqual({ a: 0, b: 3, c: 0 });
    expect(reps.map((r) => r.load)).toEqual([6, 3, 3]);
    simulate('least_loaded', reps, 6);
    expect(reps.map((r) => r.load)).toEqual([6, 6, 6]);
  });

  it('weighs by capacity: twice the capacity takes twice the work', () => {
    const counts = simulate('least_loaded', [rep('a', { capacity: 10 }), rep('b', { capacity: 20 })], 30);
    expect(counts).toEqual({ a: 10, b: 20 });
  });

  it('breaks ties by turn, not by id: each tied rep gets its share', () => {
    const counts = simulate('least_loaded', [rep('zed', { capacity: 100 }), rep('amy', { capacity: 100 })], 1);
    const later = simulate('least_loaded', [rep('zed', { capacity: 100 }), rep('amy', { capacity: 100 })], 2);
    expect(Object.values(counts).reduce((a, b) => a + b)).toBe(1);
    expect(later).toEqual({ zed: 1, amy: 1 });
  });
});

describe('best match', () => {
  it('prefers the industry match; on a large deal, experience', () => {
    const reps = [rep('junior-sw', { experience: 'junior', industries: ['software'] }), rep('senior', { experience: 'senior' }), rep('mid', { experience: 'mid' })];
    const large = rule('best_match', { largeDealAmount: { amount: 1_000_000, currency: 'EUR' } });
    const deal = (amount: number): RecordFacts => ({ kind: 'opportunity', industry: 'software', amount: { amount, currency: 'EUR' } });
    expect(pick(large, eligible(large, reps, deal(10_000)), deal(10_000), 0)?.userId).toBe('junior-sw');
    // 4 per level of experience outweighs the industry's 3: senior (8) over junior-sw (3).
    expect(pick(large, eligible(large, reps, deal(5_000_000)), deal(5_000_000), 0)?.userId).toBe('senior');
    expect(matchScore(reps[0]!, deal(5_000_000), true)).toBe(3);
  });

  it('among equal matches, takes the least loaded', () => {
    const reps = [rep('a', { industries: ['software'], load: 5 }), rep('b', { industries: ['software'], load: 1 })];
    expect(pick(rule('best_match'), reps, lead, 0)?.userId).toBe('b');
    expect(pick(rule('best_match'), reps, lead, 1)?.userId).toBe('b');
  });
});

describe('parallel assignments (turns in flight)', () => {
  it('decide exactly as one after another when they read the same loads', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 60 }), (loads, burst) => {
        const snapshot = loads.map((load, index) => rep(`r${index}`, { load, capacity: 100 }));
        const parallel = Array.from({ length: burst }, (_, ticket) => pickInTurn(rule('least_loaded'), snapshot, lead, 0, ticket)!.userId);
        const sequential = Object.entries(simulate('least_loaded', snapshot.map((r) => ({ ...r })), burst)).flatMap(([userId, count]) =>
          Array<string>(count).fill(userId),
        );
        expect(countOf(parallel)).toEqual(countOf(sequential));
      }),
    );
  });

  it('respect capacity across the turns in flight', () => {
    const snapshot = [rep('a', { capacity: 2 }), rep('b', { capacity: 1 })];
    const picks = [0, 1, 2, 3].map((ticket) => pickInTurn(rule('least_loaded'), snapshot, lead, 0, ticket)?.userId);
    expect(picks).toEqual(['a', 'b', 'a', undefined]);
  });

  it('leave round robin to its turns', () => {
    const snapshot = [rep('a'), rep('b'), rep('c')];
    expect([5, 6, 7].map((ticket) => pickInTurn(rule('round_robin'), snapshot, lead, 0, ticket)?.userId)).toEqual(['c', 'a', 'b']);
  });
});

function countOf(userIds: string[]): Record<string, number> {
  return userIds.reduce<Record<string, number>>((counts, userId) => ({ ...counts, [userId]: (counts[userId] ?? 0) + 1 }), {});
}
