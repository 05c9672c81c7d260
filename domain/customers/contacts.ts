/** Use cases: a customer's contact people. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { NotFoundError } from '../errors';
import { assertMayChangeOwned, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { applyPatch, compact, createdFields, deletedFields, diffFields } from '../shared/records';
import { uniqueValueWrites } from '../shared/unique-values';
import { versionedWrite, type WriteOptions, type WriteSet } from '../shared/versioned-write';
import { assertNotArchived, readCustomer, type CustomerItem } from './customers';
import { archivedMeanwhile } from './lifecycle';
import { assertMayForceDuplicate, contactUniqueValues } from './rules';
import type { ContactView, CreateContactInput, UpdateContactInput } from './schemas';

type Entities = SalesDb['entities'];
type ContactItem = EntityItem<Entities['contact']>;

export async function createContact(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: CreateContactInput,
  options: WriteOptions = {},
): Promise<ContactView> {
  const allowDuplicate = options.allowDuplicate ?? false;
  assertMayForceDuplicate(actor, allowDuplicate);
  return versionedWrite(deps, {}, {
    read: () => readCustomer(deps, actor, customerId),
    build: async (customer) => {
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
      const view = toContactView(contact);
      const log = logChange(deps, actor, now, {
        entityType: 'contact',
        entityId: contact.contactId,
        parentId: customerId,
        action: 'create',
        changes: createdFields(view),
        events: [{ type: 'contact.created', data: { contact: view } }],
      });
      const guards = await uniqueValueWrites(deps, actor.tenantId, {
        before: [],
        after: contactUniqueValues(contact),
        holder: { holderType: 'contact', holderId: contact.contactId, customerId },
        allowDuplicate,
      });
      return {
        result: view,
        write: (tx) => {
          tx.put('contact', tx.entities.contact.create(contact).commit());
          customerStillActive(tx, customer);
          guards(tx);
          tx.log(log);
        },
      };
    },
  });
}

export async function listContacts(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: PageRequest,
): Promise<Page<ContactView>> {
  const scope = `${actor.tenantId}|contacts|${customerId}`;
  const page = await readPage(deps, scope, input, deps.db.entities.contact.query.byCustomer({ tenantId: actor.tenantId, customerId }));
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
  return versionedWrite(deps, options, {
    read: async () => {
      const [customer, contact] = await Promise.all([readCustomer(deps, actor, ids.customerId), readContact(deps, actor, ids)]);
      return { customer, contact };
    },
    version: ({ contact }) => contact.version,
    build: async ({ customer, contact: current }) => {
      assertMayChangeOwned(actor, customer.owner, 'customer');
      assertNotArchived(customer);
      const next = applyPatch(current, patch);
      const changes = diffFields(current, next);
      if (Object.keys(changes).length === 0) return { result: toContactView(current) };
      const now = deps.clock.now().toISOString();
      const saved: ContactItem = { ...next, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
      const log = logChange(deps, actor, now, {
        entityType: 'contact',
        entityId: current.contactId,
        parentId: current.customerId,
        action: 'update',
        changes,
        events: [{ type: 'contact.updated', data: { customerId: current.customerId, changes } }],
      });
      const guards = await uniqueValueWrites(deps, actor.tenantId, {
        before: contactUniqueValues(current),
        after: contactUniqueValues(saved),
        holder: { holderType: 'contact', holderId: current.contactId, customerId: current.customerId },
        allowDuplicate,
      });
      return {
        result: toContactView(saved),
        write: (tx) => {
          tx.record(
            'contact',
            tx.entities.contact
              .put(saved)
              .where((attr, op) => op.eq(attr.version, current.version))
              .commit(),
          );
          customerStillActive(tx, customer);
          guards(tx);
          tx.log(log);
        },
      };
    },
  });
}

export async function deleteContact(
  deps: Deps,
  actor: Actor,
  ids: { customerId: string; contactId: string },
  options: WriteOptions = {},
): Promise<void> {
  await versionedWrite(deps, options, {
    read: async () => {
      const [customer, contact] = await Promise.all([readCustomer(deps, actor, ids.customerId), readContact(deps, actor, ids)]);
      return { customer, contact };
    },
    version: ({ contact }) => contact.version,
    build: async ({ customer, contact: current }) => {
      assertMayChangeOwned(actor, customer.owner, 'customer');
      const now = deps.clock.now().toISOString();
      const log = logChange(deps, actor, now, {
        entityType: 'contact',
        entityId: current.contactId,
        parentId: current.customerId,
        action: 'delete',
        changes: deletedFields(toContactView(current)),
        events: [{ type: 'contact.deleted', data: { customerId: current.customerId } }],
      });
      const guards = await uniqueValueWrites(deps, actor.tenantId, {
        before: contactUniqueValues(current),
        after: [],
        holder: { holderType: 'contact', holderId: current.contactId, customerId: current.customerId },
        allowDuplicate: true,
      });
      return {
        result: undefined,
        write: (tx) => {
          tx.record(
            'contact',
            tx.entities.contact
              .delete({ tenantId: actor.tenantId, customerId: current.customerId, contactId: current.contactId })
              .where((attr, op) => op.eq(attr.version, current.version))
              .commit(),
          );
          guards(tx);
          tx.log(log);
        },
      };
    },
  });
}

/** A contact is added to or changed on an active customer: archived meanwhile, the change is refused (409). */
function customerStillActive(tx: WriteSet, customer: CustomerItem): void {
  tx.check(
    'customer',
    tx.entities.customer
      .check({ tenantId: customer.tenantId, customerId: customer.customerId })
      .where((attr, op) => op.eq(attr.state, 'active'))
      .commit(),
    () => archivedMeanwhile(customer),
  );
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

