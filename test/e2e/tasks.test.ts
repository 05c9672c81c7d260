/** Tasks and rep profiles over HTTP on the local runtime. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

let api: TestApi;
let rep: string;
let otherRep: string;
let manager: string;

beforeAll(async () => {
  api = await startTestApi();
  const tenant = newTenant('tasks');
  rep = await api.token(tenant, 'rep', 'bob');
  otherRep = await api.token(tenant, 'rep', 'carol');
  manager = await api.token(tenant, 'manager', 'alice');
});
afterAll(() => api.close());

type Task = { id: string; title: string; status: string; assignee: string; overdue: boolean; version: number; activityId?: string; linkedTo?: { type: string; id: string } };
type Page<T> = { items: T[]; nextCursor: string | null };
const hours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();

describe('tasks over HTTP', () => {
  it('lists my open tasks overdue first, then by due time', async () => {
    for (const [title, dueAt] of [
      ['Next week', hours(24 * 7)],
      ['Yesterday', hours(-24)],
      ['Tomorrow', hours(24)],
    ] as const) {
      expect((await call(api, 'POST', '/tasks', { token: otherRep, body: { title, dueAt, type: 'call' } })).status).toBe(201);
    }
    const mine = await call<Page<Task>>(api, 'GET', '/me/tasks', { token: otherRep });
    expect(mine.body.items.map((task) => [task.title, task.overdue])).toEqual([
      ['Yesterday', true],
      ['Tomorrow', false],
      ['Next week', false],
    ]);
    const dueSoon = await call<Page<Task>>(api, 'GET', `/tasks?assignee=carol&dueBefore=${encodeURIComponent(hours(48))}`, { token: manager });
    expect(dueSoon.body.items.map((task) => task.title)).toEqual(['Yesterday', 'Tomorrow']);
  });

  it('a manager assigns, the rep is told, works it and completes it into the customer history', async () => {
    const customer = await call<{ id: string }>(api, 'POST', '/customers', { token: rep, body: { name: 'Taskworth Ltd' } });
    const created = await call<Task>(api, 'POST', '/tasks', {
      token: manager,
      body: { title: 'Call about the pilot', dueAt: hours(3), assignee: 'bob', type: 'call', priority: 'high', linkedTo: { type: 'customer', id: customer.body.id } },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/tasks/${created.body.id}`);
    const inbox = await call<Page<{ type: string; subject: { id: string } }>>(api, 'GET', '/me/notifications', { token: rep });
    expect(inbox.body.items.find((n) => n.subject.id === created.body.id)?.type).toBe('task.assigned');

    // Reps neither give their tasks away nor take others'.
    expect((await call(api, 'PATCH', `/tasks/${created.body.id}`, { token: rep, body: { assignee: 'carol' } })).status).toBe(403);
    expect((await call(api, 'PATCH', `/tasks/${created.body.id}`, { token: otherRep, body: { priority: 'low' } })).status).toBe(403);
    const moved = await call<Task>(api, 'PATCH', `/tasks/${created.body.id}`, { token: rep, body: { dueAt: hours(5) }, headers: { 'if-match': '"1"' } });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).toBe('"2"');

    const done = await call<Task>(api, 'POST', `/tasks/${created.body.id}/complete`, {
      token: rep,
      body: { outcome: 'They want to start in March', logActivity: true },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', activityId: expect.any(String) });
    const timeline = await call<Page<{ id: string; type: string; subject: string; body: string }>>(api, 'GET', `/customers/${customer.body.id}/timeline`, { token: rep });
    expect(timeline.body.items[0]).toMatchObject({ id: done.body.activityId, type: 'call', subject: 'Call about the pilot', body: 'They want to start in March' });

    expect((await call(api, 'POST', `/tasks/${created.body.id}/complete`, { token: rep, body: {} })).status).toBe(409);
    expect((await call(api, 'PATCH', `/tasks/${created.body.id}`, { token: rep, body: { title: 'Again' } })).status).toBe(409);
  });

  it('completes a task sent without any body (no content-type): an action with no required field needs no {}', async () => {
    const task = await call<Task>(api, 'POST', '/tasks', { token: rep, body: { title: 'Send the brochure', dueAt: hours(2) } });
    expect(task.status).toBe(201);
    // No body and so no content-type: call() sends neither when given no body.
    const done = await call<Task>(api, 'POST', `/tasks/${task.body.id}/complete`, { token: rep });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ id: task.body.id, status: 'done' });
  });

  it('still names the body when a route that needs one gets none', async () => {
    const refused = await call<{ errors: Array<{ path: string; message: string }> }>(api, 'POST', '/tasks', { token: rep });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'body', message: 'Required' }]);
  });

  it('refuses links to records that do not exist, and logging an unlinked task, naming the field', async () => {
    const missing = await call<{ errors: Array<{ path: string }> }>(api, 'POST', '/tasks', {
      token: rep,
      body: { title: 'Ghost', dueAt: hours(1), linkedTo: { type: 'opportunity', id: 'NOPE' } },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e) => e.path)).toEqual(['body.linkedTo.id']);
    const loose = await call<Task>(api, 'POST', '/tasks', { token: rep, body: { title: 'Loose end', dueAt: hours(1) } });
    const refused = await call<{ errors: Array<{ path: string }> }>(api, 'POST', `/tasks/${loose.body.id}/complete`, { token: rep, body: { logActivity: true } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e) => e.path)).toEqual(['body.logActivity']);
    expect((await call<Task>(api, 'GET', `/tasks/${loose.body.id}`, { token: rep })).body.status).toBe('open');
    const cancelled = await call<Task>(api, 'PATCH', `/tasks/${loose.body.id}`, { token: rep, body: { status: 'cancelled' } });
    expect(cancelled.body.status).toBe('cancelled');
  });
});

describe('rep profiles over HTTP', () => {
  it('managers keep them; everyone reads them, with the open work', async () => {
    const body = {
      displayName: 'Bob Rep',
      manager: 'alice',
      skills: { industries: ['software'], products: ['LIC-PRO'], languages: ['en', 'de'] },
      territory: 'emea',
      experience: 'senior',
      capacity: { maxOpenOpportunities: 25, maxOpenLeads: 40 },
      availability: { status: 'paused', until: '2030-01-31' },
    };
    expect((await call(api, 'PUT', '/reps/bob', { token: rep, body })).status).toBe(403);
    const saved = await call<{ version: number; availability: unknown; load: { openLeads: number } }>(api, 'PUT', '/reps/bob', { token: manager, body });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 1, availability: { status: 'paused', until: '2030-01-31' } });
    expect((await call(api, 'PUT', '/reps/bob', { token: manager, body, headers: { 'if-match': '"0"' } })).status).toBe(412);
    const read = await call<{ userId: string; load: { openLeads: number; openOpportunities: number } }>(api, 'GET', '/reps/bob', { token: otherRep });
    expect(read.body.userId).toBe('bob');
    // Bob owns the lead "Taskworth Ltd" made above.
    expect(read.body.load.openLeads).toBeGreaterThanOrEqual(1);
    expect((await call(api, 'GET', '/reps/nobody', { token: manager })).status).toBe(404);
    const list = await call<Page<{ userId: string }>>(api, 'GET', '/reps', { token: rep });
    expect(list.body.items.map((r) => r.userId)).toEqual(['bob']);
  });
});
