/**
 * Customer information use cases against DynamoDB Local: what is stored, what is refused, and what happens
 * when writers race.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../domain/audit';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, UnprocessableError } from '../../domain/errors';
import {
  archiveCustomer,
  createContact,
  createCustomer,
  deleteContact,
  getCustomer,
  getTimeline,
  listContacts,
  listCustomers,
  logActivity,
  restoreCustomer,
  updateContact,
  updateCustomer,
} from '../../domain/customers';
import type { Deps } from '../../domain/shared/ports';
import { createTestDeps, people, rejection } from '../support/dynamo';

let deps: Deps;
beforeAll(async () => {
  deps = await createTestDeps();
});

describe('customers', () => {
  it('creates a lead owned by its creator, with normalised domain and tags, version 1', async () => {
    const { bob } = people();
    const created = await createCustomer(deps, bob, { name: 'Acme', domain: 'WWW.Acme.com', tags: ['VIP', 'vip'] });
    expect(created).toMatchObject({ name: 'Acme', lifecycle: 'lead', owner: 'bob', domain: 'acme.com', tags: ['vip'], version: 1, archived: false });
    expect(await getCustomer(deps, bob, created.id)).toEqual(created);
  });

  it('catches duplicates by domain and email, case-insensitively, naming the existing record', async () => {
    const { bob, carol } = people();
    const first = await createCustomer(deps, bob, { name: 'Acme', domain: 'acme.com', email: 'Sales@Acme.com' });
    const byDomain = await rejection(createCustomer(deps, carol, { name: 'Acme GmbH', domain: 'ACME.COM' }));
    expect(byDomain).toBeInstanceOf(ConflictError);
    expect((byDomain as ConflictError).details).toMatchObject({ field: 'domain', existing: { type: 'customer', id: first.id } });
    const byEmail = await rejection(createCustomer(deps, carol, { name: 'Other', email: 'sales@acme.COM' }));
    expect((byEmail as ConflictError).details).toMatchObject({ field: 'email', existing: { id: first.id } });
  });

  it('never writes half a record when a duplicate is refused', async () => {
    const { bob, alice } = people();
    await createCustomer(deps, bob, { name: 'Initech', domain: 'initech.com' });
    await rejection(createCustomer(deps, bob, { name: 'Initech Two', domain: 'initech.com', email: 'new@initech.com' }));
    // The email of the refused record was not claimed: a new customer may use it.
    await expect(createCustomer(deps, bob, { name: 'Initech Labs', email: 'new@initech.com' })).resolves.toBeDefined();
    const names = (await listCustomers(deps, alice, { q: 'Initech' })).items.map((c) => c.name);
    expect(names).toEqual(['Initech', 'Initech Labs']);
  });

  it('lets a manager force a duplicate, but not a rep; the forced copy never frees the original value', async () => {
    const { bob, alice, carol } = people();
    const original = await createCustomer(deps, bob, { name: 'Globex', domain: 'globex.com' });
    expect(await rejection(createCustomer(deps, bob, { name: 'Globex 2', domain: 'globex.com' }, { allowDuplicate: true }))).toBeInstanceOf(ForbiddenError);
    const forced = await createCustomer(deps, alice, { name: 'Globex 2', domain: 'globex.com' }, { allowDuplicate: true });
    await updateCustomer(deps, alice, forced.id, { domain: 'globex-two.com' });
    const still = await rejection(createCustomer(deps, carol, { name: 'Globex 3', domain: 'globex.com' }));
    expect((still as ConflictError).details).toMatchObject({ existing: { id: original.id } });
  });

  it('frees the old value when the field changes', async () => {
    const { bob, carol } = people();
    const first = await createCustomer(deps, bob, { name: 'Hooli', domain: 'hooli.com' });
    await updateCustomer(deps, bob, first.id, { domain: 'hooli.xyz' });
    await expect(createCustomer(deps, carol, { name: 'Hooli Classic', domain: 'hooli.com' })).resolves.toMatchObject({ domain: 'hooli.com' });
    expect(await rejection(createCustomer(deps, carol, { name: 'Hooli XYZ', domain: 'hooli.xyz' }))).toBeInstanceOf(ConflictError);
    await updateCustomer(deps, bob, first.id, { domain: null });
    await expect(createCustomer(deps, carol, { name: 'Hooli XYZ', domain: 'hooli.xyz' })).resolves.toBeDefined();
  });

  it('lets reps change only their own customers and never reassign them', async () => {
    const { bob, carol, alice } = people();
    const customer = await createCustomer(deps, bob, { name: 'Bob Co' });
    expect(await rejection(updateCustomer(deps, carol, customer.id, { name: 'Mine now' }))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(updateCustomer(deps, bob, customer.id, { owner: 'carol' }))).toBeInstanceOf(ForbiddenError);
    const reassigned = await updateCustomer(deps, alice, customer.id, { owner: 'carol' });
    expect(reassigned).toMatchObject({ owner: 'carol', version: 2 });
    await expect(updateCustomer(deps, carol, customer.id, { lifecycle: 'prospect' })).resolves.toMatchObject({ lifecycle: 'prospect' });
  });

  it('keeps tenants apart: another tenant\'s customer is simply not found', async () => {
    const acme = people();
    const globex = people();
    const customer = await createCustomer(deps, acme.bob, { name: 'Secret', domain: 'secret.com' });
    expect(await rejection(getCustomer(deps, globex.alice, customer.id))).toBeInstanceOf(NotFoundError);
    expect(await rejection(updateCustomer(deps, globex.alice, customer.id, { name: 'x' }))).toBeInstanceOf(NotFoundError);
    expect((await listCustomers(deps, globex.alice, {})).items).toEqual([]);
    // Uniqueness is per tenant, too.
    await expect(createCustomer(deps, globex.bob, { name: 'Secret', domain: 'secret.com' })).resolves.toBeDefined();
  });

  it('honours If-Match: a stale version is refused with 412 and changes nothing', async () => {
    const { bob } = people();
    const customer = await createCustomer(deps, bob, { name: 'Versioned' });
    const v2 = await updateCustomer(deps, bob, customer.id, { segment: 'smb' }, { ifMatch: 1 });
    expect(v2.version).toBe(2);
    expect(await rejection(updateCustomer(deps, bob, customer.id, { segment: 'enterprise' }, { ifMatch: 1 }))).toBeInstanceOf(PreconditionFailedError);
    expect((await getCustomer(deps, bob, customer.id)).segment).toBe('smb');
  });

  it('loses no update when writers race without If-Match', async () => {
    const { bob } = people();
    const customer = await createCustomer(deps, bob, { name: 'Race' });
    const fields = ['segment', 'industry', 'source', 'phone'] as const;
    const values = { segment: 'smb', industry: 'retail', source: 'web', phone: '+1 555 0100' };
    await Promise.all(fields.map((field) => updateCustomer(deps, bob, customer.id, { [field]: values[field] })));
    const after = await getCustomer(deps, bob, customer.id);
    expect(after).toMatchObject({ ...values, version: 1 + fields.length });
  });

  it('lets exactly one of several writers with the same If-Match win', async () => {
    const { bob } = people();
    const customer = await createCustomer(deps, bob, { name: 'Contended' });
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd', 'e'].map((segment) => updateCustomer(deps, bob, customer.id, { segment }, { ifMatch: 1 })),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(PreconditionFailedError);
    }
    expect((await getCustomer(deps, bob, customer.id)).version).toBe(2);
  });

  it('archives softly, keeps the record readable and its duplicates guarded, and restores it', async () => {
    const { bob, alice, carol } = people();
    const customer = await createCustomer(deps, bob, { name: 'Sleepy', domain: 'sleepy.com' });
    await archiveCustomer(deps, bob, customer.id);
    expect(await getCustomer(deps, bob, customer.id)).toMatchObject({ archived: true, version: 2 });
    expect((await listCustomers(deps, alice, {})).items.map((c) => c.id)).not.toContain(customer.id);
    expect((await listCustomers(deps, alice, { archived: 'true' })).items.map((c) => c.id)).toEqual([customer.id]);
    expect(await rejection(createCustomer(deps, carol, { name: 'Sleepy 2', domain: 'sleepy.com' }))).toBeInstanceOf(ConflictError);
    expect(await rejection(updateCustomer(deps, bob, customer.id, { name: 'Awake' }))).toBeInstanceOf(ConflictError);
    await archiveCustomer(deps, bob, customer.id); // again: nothing more happens
    expect((await getCustomer(deps, bob, customer.id)).version).toBe(2);
    const restored = await restoreCustomer(deps, bob, customer.id);
    expect(restored).toMatchObject({ archived: false, version: 3 });
    expect(restored.archivedAt).toBeUndefined();
  });

  it('lists by owner, lifecycle, segment, tag and name prefix, paging with cursors', async () => {
    const { bob, carol, alice } = people();
    await createCustomer(deps, bob, { name: 'Alpha', lifecycle: 'customer', segment: 'smb', tags: ['emea'] });
    await createCustomer(deps, bob, { name: 'Beta', lifecycle: 'lead', segment: 'enterprise', tags: ['emea', 'vip'] });
    await createCustomer(deps, carol, { name: 'Gamma', lifecycle: 'lead', segment: 'smb', tags: ['apac'] });
    await createCustomer(deps, carol, { name: 'alphabet', lifecycle: 'prospect', segment: 'smb' });
    const names = async (filters: Parameters<typeof listCustomers>[2]) =>
      (await listCustomers(deps, alice, filters)).items.map((c) => c.name);

    expect(await names({ owner: 'bob' })).toEqual(['Alpha', 'Beta']);
    expect(await names({ lifecycle: 'lead' })).toEqual(['Beta', 'Gamma']);
    expect(await names({ owner: 'carol', lifecycle: 'lead' })).toEqual(['Gamma']);
    expect(await names({ segment: 'smb' })).toEqual(['Alpha', 'alphabet', 'Gamma']);
    expect(await names({ tag: 'EMEA' })).toEqual(['Alpha', 'Beta']);
    expect(await names({ q: 'ALPH' })).toEqual(['Alpha', 'alphabet']);
    expect(await names({ q: 'alph', segment: 'smb', owner: 'carol' })).toEqual(['alphabet']);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listCustomers(deps, alice, { limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((c) => c.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['Alpha', 'alphabet', 'Beta', 'Gamma']);

    const filteredPage = await listCustomers(deps, alice, { segment: 'smb', limit: 2 });
    expect(filteredPage.items.map((c) => c.name)).toEqual(['Alpha', 'alphabet']);
    const rest = await listCustomers(deps, alice, { segment: 'smb', limit: 2, cursor: filteredPage.nextCursor ?? undefined });
    expect(rest.items.map((c) => c.name)).toEqual(['Gamma']);
  });
});

describe('contacts', () => {
  it('are added to a customer, listed, changed and removed, with duplicate emails refused', async () => {
    const { bob, carol, alice } = people();
    const acme = await createCustomer(deps, bob, { name: 'Acme' });
    const other = await createCustomer(deps, carol, { name: 'Other' });
    const jane = await createContact(deps, bob, acme.id, { name: 'Jane', email: 'Jane@Acme.com', buyingRole: 'decision_maker' });
    expect(jane).toMatchObject({ customerId: acme.id, version: 1, buyingRole: 'decision_maker' });

    const duplicate = await rejection(createContact(deps, carol, other.id, { name: 'Jane again', email: 'jane@acme.COM' }));
    expect((duplicate as ConflictError).details).toMatchObject({ field: 'email', existing: { type: 'contact', id: jane.id, customerId: acme.id } });
    expect(await rejection(createContact(deps, carol, acme.id, { name: 'Not my customer' }))).toBeInstanceOf(ForbiddenError);

    const changed = await updateContact(deps, bob, { customerId: acme.id, contactId: jane.id }, { email: 'jane@acme.io', title: 'CTO' }, { ifMatch: 1 });
    expect(changed).toMatchObject({ email: 'jane@acme.io', title: 'CTO', version: 2 });
    await expect(createContact(deps, carol, other.id, { name: 'New Jane', email: 'jane@acme.com' })).resolves.toBeDefined();

    expect((await listContacts(deps, alice, acme.id, {})).items.map((c) => c.name)).toEqual(['Jane']);
    await deleteContact(deps, bob, { customerId: acme.id, contactId: jane.id });
    expect((await listContacts(deps, alice, acme.id, {})).items).toEqual([]);
    await expect(createContact(deps, carol, other.id, { name: 'Jane IO', email: 'jane@acme.io' })).resolves.toBeDefined();
  });

  it('of a missing or foreign customer are not found', async () => {
    const acme = people();
    const globex = people();
    const customer = await createCustomer(deps, acme.bob, { name: 'Acme' });
    expect(await rejection(listContacts(deps, globex.alice, customer.id, {}))).toBeInstanceOf(NotFoundError);
    expect(await rejection(createContact(deps, globex.alice, customer.id, { name: 'Spy' }))).toBeInstanceOf(NotFoundError);
  });
});

describe('communication history', () => {
  it('logs activities newest first and moves lastContactedAt forward only', async () => {
    const { bob, sam, carol } = people();
    const customer = await createCustomer(deps, bob, { name: 'Chatty' });
    const contact = await createContact(deps, bob, customer.id, { name: 'Pat' });
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
    await logActivity(deps, bob, customer.id, { type: 'call', subject: 'Call', occurredAt: at(2), contactId: contact.id });
    await logActivity(deps, sam, customer.id, { type: 'note', subject: 'Service note', occurredAt: at(1) });
    await logActivity(deps, bob, customer.id, { type: 'email', subject: 'Old email', occurredAt: at(10) });

    const timeline = await getTimeline(deps, carol, customer.id, {});
    expect(timeline.items.map((a) => a.subject)).toEqual(['Service note', 'Call', 'Old email']);
    expect(timeline.items[1]?.contactId).toBe(contact.id);
    expect((await getCustomer(deps, bob, customer.id)).lastContactedAt).toBe(at(1));

    const firstPage = await getTimeline(deps, carol, customer.id, { limit: 2 });
    const secondPage = await getTimeline(deps, carol, customer.id, { limit: 2, cursor: firstPage.nextCursor ?? undefined });
    expect([...firstPage.items, ...secondPage.items].map((a) => a.subject)).toEqual(['Service note', 'Call', 'Old email']);
  });

  it('refuses an unknown contact and writes nothing', async () => {
    const { bob } = people();
    const customer = await createCustomer(deps, bob, { name: 'Strict' });
    const error = await rejection(logActivity(deps, bob, customer.id, { type: 'call', subject: 'Who?', contactId: 'NOPE' }));
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((await getTimeline(deps, bob, customer.id, {})).items).toEqual([]);
    expect((await getCustomer(deps, bob, customer.id)).lastContactedAt).toBeUndefined();
  });

  it('lets reps log only on their own customers, service on any', async () => {
    const { bob, carol, sam } = people();
    const customer = await createCustomer(deps, bob, { name: 'Owned' });
    expect(await rejection(logActivity(deps, carol, customer.id, { type: 'call', subject: 'x' }))).toBeInstanceOf(ForbiddenError);
    await expect(logActivity(deps, sam, customer.id, { type: 'note', subject: 'ticket follow-up' })).resolves.toBeDefined();
  });

  it('keeps a concurrent PATCH when an activity is logged at the same time', async () => {
    const { bob } = people();
    const customer = await createCustomer(deps, bob, { name: 'Busy' });
    await Promise.all([
      updateCustomer(deps, bob, customer.id, { industry: 'retail' }),
      logActivity(deps, bob, customer.id, { type: 'call', subject: 'Ring' }),
      updateCustomer(deps, bob, customer.id, { segment: 'smb' }),
    ]);
    const after = await getCustomer(deps, bob, customer.id);
    expect(after).toMatchObject({ industry: 'retail', segment: 'smb' });
    expect(after.lastContactedAt).toBeDefined();
  });
});

describe('audit trail', () => {
  it('records who changed what, in order, for every change', async () => {
    const { bob, alice } = people();
    const customer = await createCustomer(deps, bob, { name: 'Audited', phone: '+1 555 0100' });
    await updateCustomer(deps, bob, customer.id, { name: 'Audited Inc', phone: null });
    await updateCustomer(deps, bob, customer.id, { name: 'Audited Inc' }); // no change, no entry
    await updateCustomer(deps, alice, customer.id, { owner: 'carol' });
    await archiveCustomer(deps, alice, customer.id);
    const trail = (await listAudit(deps, alice, { entityId: customer.id })).items;
    expect(trail.map((entry) => [entry.action, entry.actor])).toEqual([
      ['create', 'bob'],
      ['update', 'bob'],
      ['update', 'alice'],
      ['archive', 'alice'],
    ]);
    expect(trail[1]?.changes).toEqual({ name: { from: 'Audited', to: 'Audited Inc' }, phone: { from: '+1 555 0100' } });
    expect(trail[2]?.changes).toEqual({ owner: { from: 'bob', to: 'carol' } });
  });
});
