import { describe, expect, it } from 'vitest';
import { activityTypeOf, assertMayAssign, assertMayWork, firstReminder, isOverdue, nextReminder } from '../../domain/tasks/rules';
import { ForbiddenError } from '../../domain/errors';
import { rateMilliseconds } from '../../infra/local/local-scheduler';

const policy = { dueSoonHours: 24, escalateAfterHours: 48 };
const due = '2030-01-10T12:00:00.000Z';
const at = (iso: string) => new Date(iso);

describe('task reminders', () => {
  it('start with due soon, its window before the due time', () => {
    expect(firstReminder(due, at('2030-01-01T00:00:00Z'), policy)).toEqual({ step: 'due_soon', at: '2030-01-09T12:00:00.000Z' });
  });

  it('start at once with the step the due time calls for when scheduled late', () => {
    expect(firstReminder(due, at('2030-01-10T00:00:00Z'), policy)).toEqual({ step: 'due_soon', at: '2030-01-10T00:00:00.000Z' });
    expect(firstReminder(due, at('2030-01-10T13:00:00Z'), policy)).toEqual({ step: 'overdue', at: '2030-01-10T13:00:00.000Z' });
    expect(firstReminder(due, at('2030-01-12T12:00:00Z'), policy)).toEqual({ step: 'escalate', at: '2030-01-12T12:00:00.000Z' });
  });

  it('go due soon → overdue at the due time → escalate after escalateAfterHours → nothing', () => {
    expect(nextReminder('due_soon', due, policy)).toEqual({ step: 'overdue', at: due });
    expect(nextReminder('overdue', due, policy)).toEqual({ step: 'escalate', at: '2030-01-12T12:00:00.000Z' });
    expect(nextReminder('escalate', due, policy)).toBeUndefined();
  });

  it('with a zero window, due soon comes at the due time', () => {
    expect(firstReminder(due, at('2030-01-01T00:00:00Z'), { dueSoonHours: 0, escalateAfterHours: 1 })).toEqual({ step: 'due_soon', at: due });
  });
});

describe('who works a task', () => {
  const rep = { tenantId: 't', userId: 'bob', roles: ['rep'] as const };
  const manager = { tenantId: 't', userId: 'alice', roles: ['manager'] as const };

  it('reps assign only to themselves; managers to anyone', () => {
    expect(() => assertMayAssign(rep, 'bob')).not.toThrow();
    expect(() => assertMayAssign(rep, 'carol')).toThrow(ForbiddenError);
    expect(() => assertMayAssign(manager, 'carol')).not.toThrow();
  });

  it('the assignee, the creator, managers and admins change it', () => {
    expect(() => assertMayWork(rep, { assignee: 'bob', createdBy: 'alice' })).not.toThrow();
    expect(() => assertMayWork(rep, { assignee: 'carol', createdBy: 'bob' })).not.toThrow();
    expect(() => assertMayWork(rep, { assignee: 'carol', createdBy: 'alice' })).toThrow(ForbiddenError);
    expect(() => assertMayWork(manager, { assignee: 'carol', createdBy: 'carol' })).not.toThrow();
  });

  it('is overdue only while open and past due', () => {
    expect(isOverdue({ status: 'open', dueAt: due }, at('2030-01-10T12:00:01Z'))).toBe(true);
    expect(isOverdue({ status: 'open', dueAt: due }, at(due))).toBe(false);
    expect(isOverdue({ status: 'done', dueAt: due }, at('2031-01-01T00:00:00Z'))).toBe(false);
  });

  it('logs calls, emails and meetings as such, anything else as a note', () => {
    expect(['call', 'email', 'meeting', 'follow-up', 'other'].map(activityTypeOf)).toEqual(['call', 'email', 'meeting', 'note', 'note']);
  });
});

describe('local schedule expressions', () => {
  it('run rate() expressions as EventBridge reads them', () => {
    expect(rateMilliseconds('rate(15 minutes)')).toBe(900_000);
    expect(rateMilliseconds('rate(1 hour)')).toBe(3_600_000);
    expect(rateMilliseconds('rate(2 days)')).toBe(172_800_000);
  });

  it('refuse what EventBridge would refuse, and what they cannot run', () => {
    expect(() => rateMilliseconds('rate(1 minutes)')).toThrow(/not a valid rate/);
    expect(() => rateMilliseconds('rate(5 minute)')).toThrow(/not a valid rate/);
    expect(() => rateMilliseconds('rate(0 minutes)')).toThrow(/not a valid rate/);
    expect(() => rateMilliseconds('cron(0 8 * * ? *)')).toThrow(/rate\(\.\.\.\) expressions only/);
  });
});
