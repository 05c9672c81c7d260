/** Use cases: a customer's contact people. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { NotFoundError } from '../errors';
import { assertMayChangeOwned, type Actor } from '../shared/actor';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { rejectedAt } from '../shared/store-errors';
import { uniqueValueChanges, writeWithUniqueValues } from '../shared/unique-values';
import { assertVersion, compact, retryOnConcurrentChange, type WriteOptions } from '../shared/writes';
import { assertNotArchived, readCustomer } from './customers';
import {
  assertMayForceDuplicate,
  contactUniqueValues,
} from './rules';
import { changeLogCommits, logChange } from '../shared/change-log';
import { applyPatch, diffFields } from '../shared/records';
import type { ContactView, CreateContactInput, UpdateContactInput } from './schemas';

type Entities = SalesDb['entities'];
type ContactItem = EntityItem<Entities['contact']>;

// ---- contacts ------------------------------------------------------------------------------------

export async function createContact(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: CreateContactInput,
  options: WriteOptions = {},
): Promise<ContactView> {
  const allowDuplicate = options.allowDuplicate ?? false;
  assertMayForceDuplicate(actor, allowDuplicate);
  const customer = await readCustomer(deps, actor, customerId);
  assertMayChangeOwned(actor, customer.owner, 'customer');
  assertNotArchived(customer);
  const now = deps.clock.now().toISOString();
  const contact: ContactItem = {
    tenantId: actor.tenantId,
    customerId,
    contactId: deps.ids.next(),
    ...input,
    createdAt: now,
    createdBy: actor.userId,
    updatedAt: now,
    updatedBy: actor.userId,
    version: 1,
  };
  const log = logChange(deps, actor, now, {
    entityType: 'contact',
    entityId: contact.contactId,
    parentId: customerId,
    action: 'create',
    changes: diffFields({}, toContactView(contact), ['version', 'updatedAt', 'updatedBy', 'createdAt', 'createdBy', 'id']),
    events: [{ type: 'contact.created', data: { contact: toContactView(contact) } }],
  });
  await writeWithUniqueValues(deps, actor, {
    claims: contactUniqueValues(contact),
    releases: [],
    holder: { holderType: 'contact', holderId: contact.contactId, customerId },
    allowDuplicate,
    write: (entities) => [entities.contact.create(contact).commit(), ...changeLogCommits(entities, log)],
    recordRejected: () => false,
  });
  return toContactView(contact);
}

export async function listContacts(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: PageRequest,
): Promise<Page<ContactView>> {
  const scope = `${actor.tenantId}|contacts|${customerId}`;
  const page = await readPage(scope, input, ({ cursor, limit }) =>
    deps.db.entities.contact.query.byCustomer({ tenantId: actor.tenantId, customerId }).go({ cursor, count: limit, limit }),
  );
  // An empty first page may mean "no such customer": only then is the extra read worth it.
  if (page.items.length === 0 && input.cursor === undefined) await readCustomer(deps, actor, customerId);
  return { ...page, items: page.items.map(toContactView) };
}

export async function updateContact(
  deps: Deps,
  actor: Actor,
  ids: { customerId: string; contactId: string },
  patch: UpdateContactInput,
  options: WriteOptions = {},
): Promise<ContactView> {
  const allowDuplicate = options.allowDuplicate ?? false;
  assertMayForceDuplicate(actor, allowDuplicate);
  return retryOnConcurrentChange(async () => {
    const [customer, current] = await Promise.all([
      readCustomer(deps, actor, ids.customerId),
      readContact(deps, actor, ids),
    ]);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, customer.owner, 'customer');
    assertNotArchived(customer);
    const next = applyPatch(current, patch);
    const changes = diffFields(current, next);
    if (Object.keys(changes).length === 0) return toContactView(current);
    const now = deps.clock.now().toISOString();
    const saved: ContactItem = { ...next, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
    const { claim, release } = uniqueValueChanges(contactUniqueValues(current), contactUniqueValues(saved));
    const log = logChange(deps, actor, now, {
      entityType: 'contact',
      entityId: current.contactId,
      parentId: current.customerId,
      action: 'update',
      changes,
      events: [{ type: 'contact.updated', data: { customerId: current.customerId, changes } }],
    });
    await writeWithUniqueValues(deps, actor, {
      claims: claim,
      releases: release,
      holder: { holderType: 'contact', holderId: current.contactId, customerId: current.customerId },
      allowDuplicate,
      write: (entities) => [
        entities.contact
          .put(saved)
          .where((attr, op) => op.eq(attr.version, current.version))
          .commit(),
        ...changeLogCommits(entities, log),
      ],
      recordRejected: (outcome) => rejectedAt(outcome, 0),
    });
    return toContactView(saved);
  }, options);
}

export async function deleteContact(
  deps: Deps,
  actor: Actor,
  ids: { customerId: string; contactId: string },
  options: WriteOptions = {},
): Promise<void> {
  await retryOnConcurrentChange(async () => {
    const [customer, current] = await Promise.all([
      readCustomer(deps, actor, ids.customerId),
      readContact(deps, actor, ids),
    ]);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, customer.owner, 'customer');
    const now = deps.clock.now().toISOString();
    const log = logChange(deps, actor, now, {
      entityType: 'contact',
      entityId: current.contactId,
      parentId: current.customerId,
      action: 'delete',
      changes: diffFields(toContactView(current), {}, ['version', 'updatedAt', 'updatedBy', 'createdAt', 'createdBy', 'id']),
      events: [{ type: 'contact.deleted', data: { customerId: current.customerId } }],
    });
    await writeWithUniqueValues(deps, actor, {
      claims: [],
      releases: contactUniqueValues(current),
      holder: { holderType: 'contact', holderId: current.contactId, customerId: current.customerId },
      allowDuplicate: true,
      write: (entities) => [
        entities.contact
          .delete({ tenantId: actor.tenantId, customerId: current.customerId, contactId: current.contactId })
          .where((attr, op) => op.eq(attr.version, current.version))
          .commit(),
        ...changeLogCommits(entities, log),
      ],
      recordRejected: (outcome) => rejectedAt(outcome, 0),
    });
    return undefined;
  }, options);
}

async function readContact(deps: Deps, actor: Actor, ids: { customerId: string; contactId: string }): Promise<ContactItem> {
  const { data } = await deps.db.entities.contact.get({ tenantId: actor.tenantId, ...ids }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Contact ${ids.contactId} not found`);
  return data;
}

export function toContactView(item: ContactItem): ContactView {
  return compact({
    id: item.contactId,
    customerId: item.customerId,
    name: item.name,
    title: item.title,
    email: item.email,
    phone: item.phone,
    buyingRole: item.buyingRole,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
    version: item.version,
  });
}

