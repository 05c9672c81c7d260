/**
 * Pure rules of teams (domain/directory/rules.ts): team ids, who joins and leaves, members listed twice, and who
 * may write a team.
 */
import { describe, expect, it } from 'vitest';
import { assertDistinctMembers, MAX_TEAM_MEMBERS, memberChanges, TEAM_ID_PATTERN, teamWriteRefusal } from '../../domain/directory/rules';
import { ForbiddenError, ValidationError } from '../../domain/errors';
import { actor } from '../support/actors';

describe('team ids', () => {
  it.each(['east', 'emea-enterprise', 'a', '2027-hunters', 'x'.repeat(40)])('%s is a team id', (id) => {
    expect(TEAM_ID_PATTERN.test(id)).toBe(true);
  });
  it.each(['East', '-east', 'east-', 'east_1', 'east team', 'ost/west', '', 'x'.repeat(41), 'e#1'])('%j is not', (id) => {
    expect(TEAM_ID_PATTERN.test(id)).toBe(false);
  });
});

describe('member changes', () => {
  it.each([
    // before, after, added, removed
    [[], ['rita', 'sam'], ['rita', 'sam'], []],
    [['rita', 'sam'], ['sam', 'rita'], [], []],
    [['rita', 'sam'], ['sam', 'tom'], ['tom'], ['rita']],
    [['rita'], [], [], ['rita']],
    [['a', 'b', 'c'], ['d', 'e', 'f'], ['d', 'e', 'f'], ['a', 'b', 'c']],
  ])('%j → %j joins %j, lets %j go', (before, after, added, removed) => {
    expect(memberChanges(before, after)).toEqual({ added, removed });
  });

  it('a full team replaced by another stays within one DynamoDB transaction (100 items)', () => {
    const before = Array.from({ length: MAX_TEAM_MEMBERS }, (_, i) => `old-${i}`);
    const after = Array.from({ length: MAX_TEAM_MEMBERS }, (_, i) => `new-${i}`);
    const { added, removed } = memberChanges(before, after);
    // The team, its audit entry and its event, a guard per member joining and per member leaving.
    expect(3 + added.length + removed.length).toBeLessThanOrEqual(100);
  });
});

describe('members listed twice', () => {
  it('names the second mention', () => {
    const attempt = () => assertDistinctMembers(['rita', 'sam', 'rita']);
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).errors).toEqual([{ path: 'body.members.2', message: 'rita is listed already (members.0)' }]);
    }
  });
  it('accepts distinct members and none', () => {
    expect(() => assertDistinctMembers(['rita', 'sam'])).not.toThrow();
    expect(() => assertDistinctMembers([])).not.toThrow();
  });
});

describe('who may write a team', () => {
  const admin = actor('acme', 'dana', 'admin');
  const manager = actor('acme', 'mia', 'manager');

  it('an admin: any team, with any manager', () => {
    expect(teamWriteRefusal(admin, null, { manager: 'mia' })).toBeUndefined();
    expect(teamWriteRefusal(admin, { manager: 'max' }, { manager: 'mia' })).toBeUndefined();
  });

  it('a manager: a new team or one they manage, with themselves as manager', () => {
    expect(teamWriteRefusal(manager, null, { manager: 'mia' })).toBeUndefined();
    expect(teamWriteRefusal(manager, { manager: 'mia' }, { manager: 'mia' })).toBeUndefined();
  });

  it("a manager may not change another manager's team, nor hand a team to someone else", () => {
    expect(teamWriteRefusal(manager, { manager: 'max' }, { manager: 'mia' })).toBeInstanceOf(ForbiddenError);
    const handOver = teamWriteRefusal(manager, { manager: 'mia' }, { manager: 'max' });
    expect(handOver).toBeInstanceOf(ForbiddenError);
    expect(handOver?.errors.map((issue) => issue.path)).toEqual(['body.manager']);
    expect(teamWriteRefusal(manager, null, { manager: 'max' })?.errors.map((issue) => issue.path)).toEqual(['body.manager']);
  });

  it.each(['rep', 'finance', 'service'] as const)('a %s may not', (role) => {
    expect(teamWriteRefusal(actor('acme', 'mia', role), null, { manager: 'mia' })).toBeInstanceOf(ForbiddenError);
  });
});
