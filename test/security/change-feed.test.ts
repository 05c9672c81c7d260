/**
 * Issue 15, finding 4 (OWASP API3/API5): `GET /events` is open to every role, and its events carried the same
 * field values, before and after, as the audit trail that only admins and managers may read — a deleted
 * contact's data included. Field values go only to the roles that may read the audit trail; the others get the
 * event type, entity, ids, actor, time and the names of the changed fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventForReader } from '../../domain/events';
import { newTenant } from '../support/dynamo';
import { eventually } from '../support/eventually';
import { call, startTestApi, type TestApi } from '../support/local-api';

interface FeedEvent {
  type: string;
  entityId: string;
  actor: string;
  data: Record<string, unknown>;
}

let api: TestApi;
let tokens: { manager: string; rep: string; finance: string; service: string };
let customerId: string;
const SECRET_PHONE = '+49 30 5550 1234';
const ERASED_EMAIL = 'gone@erased.example';

beforeAll(async () => {
  api = await startTestApi();
  const tenant = newTenant('change-feed');
  tokens = {
    manager: await api.token(tenant, 'manager', 'alice'),
    rep: await api.token(tenant, 'rep', 'bob'),
    finance: await api.token(tenant, 'finance', 'fiona'),
    service: await api.token(tenant, 'service', 'sam'),
  };
  const customer = await call<{ id: string }>(api, 'POST', '/customers', { token: tokens.rep, body: { name: 'Feed Corp', phone: '+1 650 555 0100' } });
  customerId = customer.body.id;
  expect((await call(api, 'PATCH', `/customers/${customerId}`, { token: tokens.rep, body: { phone: SECRET_PHONE } })).status).toBe(200);
  const contact = await call<{ id: string }>(api, 'POST', `/customers/${customerId}/contacts`, { token: tokens.rep, body: { name: 'Erin Erased', email: ERASED_EMAIL } });
  expect((await call(api, 'DELETE', `/customers/${customerId}/contacts/${contact.body.id}`, { token: tokens.rep })).status).toBe(204);
});
afterAll(() => api.close());

/** The whole feed as `token` reads it, once it shows the contact's deletion. */
async function feedAs(token: string): Promise<FeedEvent[]> {
  return eventually(async () => {
    const feed = await call<{ items: FeedEvent[] }>(api, 'GET', '/events?since=2020-01-01T00:00:00Z&limit=200', { token });
    expect(feed.status).toBe(200);
    expect(feed.body.items.map((event) => event.type)).toContain('contact.deleted');
    return feed.body.items;
  });
}

describe('the change feed', () => {
  it('gives reps, finance and service what changed, never the values', async () => {
    for (const token of [tokens.rep, tokens.finance, tokens.service]) {
      const events = await feedAs(token);
      const text = JSON.stringify(events);
      expect(text).not.toContain(SECRET_PHONE);
      expect(text).not.toContain(ERASED_EMAIL);
      expect(text).not.toContain('Erin Erased');
      const updated = events.find((event) => event.type === 'customer.updated');
      expect(updated).toMatchObject({ entityId: customerId, actor: 'bob', data: { changedFields: ['phone'] } });
      expect(events.find((event) => event.type === 'contact.deleted')?.data).toEqual({ customerId });
    }
  });

  it('gives managers the values, as the audit trail does', async () => {
    const events = await feedAs(tokens.manager);
    const updated = events.find((event) => event.type === 'customer.updated');
    expect(updated?.data).toEqual({ changes: { phone: { from: '+1 650 555 0100', to: SECRET_PHONE } } });
    expect(JSON.stringify(events)).toContain(ERASED_EMAIL);
  });
});

describe('the projection', () => {
  it('keeps ids and revisions, names changed fields, and drops every other value', () => {
    const event = {
      id: '01J0000000000000000000000A',
      type: 'contract.updated',
      entityType: 'contract',
      entityId: 'C1',
      actor: 'bob',
      at: '2027-01-01T00:00:00.000Z',
      occurredAt: '2027-01-01T00:00:00.000Z',
      data: { contractId: 'C1', revision: 2, total: { amount: 5, currency: 'EUR' }, changes: { title: { from: 'a', to: 'b' }, endDate: { to: '2028-01-01' } } },
    };
    expect(eventForReader(event, false).data).toEqual({ contractId: 'C1', revision: 2, changedFields: ['endDate', 'title'] });
    expect(eventForReader(event, true)).toBe(event);
  });
});
