/** The reminder job on DynamoDB Local with a controlled clock: due soon, overdue, escalation, stale deals, idempotency. */
import { beforeAll, describe, expect, it } from 'vitest';
import { logActivity } from '../../domain/customers';
import { createCustomer } from '../../domain/customers';
import { listNotifications } from '../../domain/notifications';
import { createOpportunity } from '../../domain/pipeline';
import { putRep } from '../../domain/reps';
import { runReminders } from '../../domain/reminders';
import type { Actor } from '../../domain/shared/actor';
import type { Deps } from '../../domain/shared/ports';
import { completeTask, createTask, listTasks, updateTask } from '../../domain/tasks';
import { openRequest, planApproval } from '../../domain/approvals/workflow';
import { createContract, createTemplate, readContract, statusChange } from '../../domain/contracts';
import { versionedWrite } from '../../domain/shared/versioned-write';
import { createQuote, decideQuote } from '../../domain/quotes';
import { createTestDeps, createTestTable, people, withClock } from '../support/dynamo';
import { faultyStore } from '../support/store-faults';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let now = Date.parse('2030-01-07T09:00:00Z');
let deps: Deps;

beforeAll(async () => {
  deps = withClock(await createTestDeps(), () => now);
});

const inbox = async (who: Actor) => (await listNotifications(deps, who, { limit: 200 })).items.map((n) => n.type);

describe('task reminders', () => {
  it('tell the assignee when due soon and when overdue, then the manager, each once', async () => {
    const who = people();
    now = Date.parse('2030-01-07T09:00:00Z');
    await putRep(deps, who.dana, 'bob', { experience: 'mid', manager: 'alice', capacity: { maxOpenOpportunities: 10, maxOpenLeads: 10 } }, {});
    const task = await createTask(deps, who.alice, { title: 'Call Gia about the renewal', dueAt: new Date(now + 48 * HOUR).toISOString(), assignee: 'bob' });
    expect(await inbox(who.bob)).toEqual(['task.assigned']);

    await runReminders(deps);
    expect(await inbox(who.bob)).toEqual(['task.assigned']);

    now += 25 * HOUR; // due in 23 h: within the default 24 h
    expect((await runReminders(deps)).tasksDueSoon).toBe(1);
    expect((await runReminders(deps)).tasksDueSoon).toBe(0);
    expect(await inbox(who.bob)).toEqual(['task.due_soon', 'task.assigned']);

    now += 24 * HOUR; // 1 h past due
    expect((await runReminders(deps)).tasksOverdue).toBe(1);
    expect((await listTasks(deps, who.bob, { assignee: 'bob' })).items[0]).toMatchObject({ id: task.id, overdue: true });

    now += 24 * HOUR; // 25 h past due: escalated to bob's manager
    expect((await runReminders(deps)).tasksEscalated).toBe(1);
    expect(await inbox(who.alice)).toEqual(['task.escalated']);
    const nothingLeft = await runReminders(deps);
    expect(nothingLeft.tasksEscalated + nothingLeft.tasksOverdue + nothingLeft.tasksDueSoon).toBe(0);
    expect(await inbox(who.bob)).toEqual(['task.overdue', 'task.due_soon', 'task.assigned']);
  });

  it("escalate to every manager when the assignee's profile names none; a done task is never reminded", async () => {
    const who = people();
    now = Date.parse('2030-02-01T09:00:00Z');
    const done = await createTask(deps, who.carol, { title: 'Send the deck', dueAt: new Date(now + HOUR).toISOString() });
    await completeTask(deps, who.carol, done.id, { outcome: 'Sent' });
    await createTask(deps, who.carol, { title: 'Chase the PO', dueAt: new Date(now - 30 * HOUR).toISOString() });
    const run = await runReminders(deps);
    expect(run.tasksEscalated).toBe(1);
    expect(await inbox(who.carol)).toEqual([]);
    const managers = (await listNotifications(deps, who.alice, {})).items.filter((n) => n.type === 'task.escalated');
    expect(managers.map((n) => n.audience)).toEqual(['role:manager']);
  });

  it('two runs at once notify once', async () => {
    const who = people();
    now = Date.parse('2030-03-01T09:00:00Z');
    await createTask(deps, who.bob, { title: 'Prepare the demo', dueAt: new Date(now + 2 * HOUR).toISOString() });
    const [a, b] = await Promise.all([runReminders(deps), runReminders(deps)]);
    expect(a.tasksDueSoon + b.tasksDueSoon).toBe(1);
    expect(await inbox(who.bob)).toEqual(['task.due_soon']);
  });

  it('reads only what is due: tasks due far ahead cost nothing', async () => {
    const who = people();
    now = Date.parse('2030-04-01T09:00:00Z');
    await runReminders(deps); // whatever earlier tests left due
    for (let index = 0; index < 20; index += 1) {
      await createTask(deps, who.bob, { title: `Later ${index}`, dueAt: new Date(now + (30 + index) * DAY).toISOString() });
    }
    await createTask(deps, who.bob, { title: 'Soon', dueAt: new Date(now + HOUR).toISOString() });
    const run = await runReminders(deps);
    expect(run.dueTimers).toBe(1);
    expect(run.tasksDueSoon).toBe(1);
  });
});

describe('stale deals', () => {
  it('get one follow-up task for the owner after the stage\'s days without activity, not another while it is open', async () => {
    const who = people();
    now = Date.parse('2030-05-01T09:00:00Z');
    await runReminders(deps);
    const customer = await createCustomer(deps, who.bob, { name: 'Quiet Corp' });
    const deal = await createOpportunity(deps, who.bob, { customerId: customer.id, name: 'Quiet deal', expectedCloseDate: '2030-12-31' });

    now += 13 * DAY;
    expect((await runReminders(deps)).staleDeals).toBe(0);
    now += 2 * DAY; // 15 days without activity; the default is 14
    expect((await runReminders(deps)).staleDeals).toBe(1);
    expect((await runReminders(deps)).staleDeals).toBe(0);
    const followUps = await listTasks(deps, who.bob, { linkedType: 'opportunity', linkedId: deal.id });
    expect(followUps.items).toHaveLength(1);
    expect(followUps.items[0]).toMatchObject({ assignee: 'bob', origin: 'stale_deal', type: 'follow-up' });
    expect(await inbox(who.bob)).toContain('deal.stale');

    now += 15 * DAY; // still quiet, but its follow-up is still open: no second task
    await runReminders(deps);
    expect((await listTasks(deps, who.bob, { linkedType: 'opportunity', linkedId: deal.id })).items).toHaveLength(1);

    // Working the deal restarts the clock.
    await completeTask(deps, who.bob, followUps.items[0]!.id, { outcome: 'Called, they are busy until March', logActivity: true });
    now += 10 * DAY;
    expect((await runReminders(deps)).staleDeals).toBe(0);
    now += 5 * DAY;
    expect((await runReminders(deps)).staleDeals).toBe(1);
  });

  it('a follow-up logged on the deal restarts the clock too', async () => {
    const who = people();
    now = Date.parse('2030-08-01T09:00:00Z');
    await runReminders(deps);
    const customer = await createCustomer(deps, who.carol, { name: 'Busy Corp' });
    const deal = await createOpportunity(deps, who.carol, { customerId: customer.id, name: 'Busy deal', expectedCloseDate: '2030-12-31' });
    now += 10 * DAY;
    await logActivity(deps, who.carol, customer.id, { type: 'call', subject: 'Check-in', opportunityId: deal.id });
    now += 10 * DAY;
    expect((await runReminders(deps)).staleDeals).toBe(0);
  });

  it('counts a follow-up from when it happened: a call logged late about an old conversation leaves the deal stale', async () => {
    const who = people();
    now = Date.parse('2030-09-01T09:00:00Z');
    await runReminders(deps);
    const customer = await createCustomer(deps, who.carol, { name: 'Late Corp' });
    const deal = await createOpportunity(deps, who.carol, { customerId: customer.id, name: 'Late deal', expectedCloseDate: '2030-12-31' });
    now += 10 * DAY;
    await logActivity(deps, who.carol, customer.id, { type: 'call', subject: 'The call of day 1', occurredAt: new Date(now - 9 * DAY).toISOString(), opportunityId: deal.id });
    now += 5 * DAY; // 15 days after the deal opened, 14 since the customer was last spoken to
    await runReminders(deps);
    const followUps = await listTasks(deps, who.carol, { linkedType: 'opportunity', linkedId: deal.id });
    expect(followUps.items).toMatchObject([{ origin: 'stale_deal', notes: expect.stringContaining('no follow-up on it since 2030-09-02') }]);
  });
});

describe('approval reminders', () => {
  it('remind the approvers once, three quarters into the wait, while the request is pending', async () => {
    const who = people();
    now = Date.parse('2030-10-01T09:00:00Z');
    await runReminders(deps);
    const customer = await createCustomer(deps, who.bob, { name: 'Signing Corp' });
    const deal = await createOpportunity(deps, who.bob, { customerId: customer.id, name: 'Signing deal', expectedCloseDate: '2030-12-31' });
    const quote = await createQuote(deps, who.bob, deal.id, { lines: [{ description: 'Seats', quantity: '1', unitPrice: { amount: 100_00, currency: 'EUR' } }] });
    await decideQuote(deps, who.bob, quote.id, 'send', {});
    await decideQuote(deps, who.bob, quote.id, 'accept', {});
    const template = await createTemplate(deps, who.dana, { name: 'MSA', body: '<p>{{ customer.name }}</p>' });
    const contract = await createContract(deps, who.bob, quote.id, { templateId: template.id, startDate: '2030-11-01' });
    await versionedWrite(deps, {}, {
      read: () => readContract(deps, who.bob, contract.id),
      build: (stored) => statusChange(deps, who.bob, stored, 'pending_approval', 'submit', { submittedBy: 'bob', submittedAt: new Date(now).toISOString() }),
    });
    const run = { tenantId: who.tenant, contractId: contract.id, revision: 1 };
    const state = await planApproval(deps, run, { timeoutSeconds: 3600, escalationTimeoutSeconds: 3600 });
    await openRequest(deps, { ...state, taskToken: 'token-1', escalated: false });

    now += 2000 * 1000;
    expect((await runReminders(deps)).approvalReminders).toBe(0);
    now += 800 * 1000; // 2,800 s of 3,600
    expect((await runReminders(deps)).approvalReminders).toBe(1);
    expect((await runReminders(deps)).approvalReminders).toBe(0);
    const reminded = (await listNotifications(deps, who.alice, {})).items.filter((n) => n.type === 'approval.reminder');
    expect(reminded.map((n) => n.audience)).toEqual(['role:manager']);
  });
});

describe('a timer that a change schedules anew while the job handles it', () => {
  it('stays as the change scheduled it, and the reminder the job had prepared is not sent', async () => {
    const store = await faultyStore((await createTestTable()).tableName);
    const job = withClock(store.deps, () => now);
    const other = withClock(store.plain, () => now);
    const who = people();
    now = Date.parse('2031-01-07T09:00:00Z');
    const task = await createTask(other, who.bob, { title: 'Moved meanwhile', dueAt: new Date(now + HOUR).toISOString() });
    store.beforeNextTransaction(() => updateTask(other, who.bob, task.id, { dueAt: new Date(now + 10 * DAY).toISOString() }));
    const run = await runReminders(job);
    expect(run).toMatchObject({ dueTimers: 1, tasksDueSoon: 0, skipped: 1 });
    expect((await listNotifications(other, who.bob, { limit: 50 })).items.map((n) => n.type)).not.toContain('task.due_soon');
    const { data: timer } = await other.db.entities.timer.get({ tenantId: who.tenant, timerId: `task:${task.id}` }).go();
    expect(timer).toMatchObject({ step: 'due_soon', dueAt: new Date(now + 9 * DAY).toISOString() });
  });
});
