/** Use cases: customers and leads. */
import type { EntityItem } from 'electrodb';
import { AUTO_OWNER, assignmentData, assignmentNotifications, chooseOwner, customerFacts } from '../assignment';
import type { SalesDb } from '../db';
import { ConflictError, NotFoundError } from '../errors';
import { assertMayChangeOwned, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { applyPatch, compact, createdFields, diffFields, type FieldChange } from '../shared/records';
import { uniqueValueWrites } from '../shared/unique-values';
import { createWrite, versionedWrite, type Planned, type WriteOptions, type WriteSet } from '../shared/versioned-write';
import {
  assertMayForceDuplicate,
  assertMayReassign,
  customerListIndex,
  customerUniqueValues,
  nameSortKey,
  normalizeDomain,
  normalizeTags,
  ownerForNewRecord,
  withCustomerSince,
} from './rules';
import type { CreateCustomerInput, CustomerView, ListCustomersInput, UpdateCustomerInput } from './schemas';

type Entities = SalesDb['entities'];
export type CustomerItem = EntityItem<Entities['customer']>;
type NotificationItem = EntityItem<Entities['notification']>;
export type CustomerAction = 'update' | 'archive' | 'restore' | 'assign';

export async function createCustomer(
  deps: Deps,
  actor: Actor,
  input: CreateCustomerInput,
  options: WriteOptions = {},
): Promise<CustomerView> {
  const allowDuplicate = options.allowDuplicate ?? false;
  assertMayForceDuplicate(actor, allowDuplicate);
  const assignment = input.owner === AUTO_OWNER ? await chooseOwner(deps, actor, customerFacts(input)) : undefined;
  try {
    return await createWrite(deps, async () => {
      const now = deps.clock.now().toISOString();
      const customer: CustomerItem = withCustomerSince({
        tenantId: actor.tenantId,
        customerId: deps.ids.next(),
        name: input.name,
        lifecycle: input.lifecycle ?? 'lead',
        segment: input.segment,
        territory: input.territory,
        industry: input.industry,
        source: input.source,
        tags: normalizeTags(input.tags ?? []),
        address: input.address,
        domain: input.domain === undefined ? undefined : normalizeDomain(input.domain),
        email: input.email,
        phone: input.phone,
        owner: assignment?.owner ?? ownerForNewRecord(actor, input.owner),
        state: 'active',
        createdAt: now,
        createdBy: actor.userId,
        updatedAt: now,
        updatedBy: actor.userId,
        version: 1,
      }, now);
      const view = toCustomerView(customer);
      const log = logChange(deps, actor, now, {
        entityType: 'customer',
        entityId: customer.customerId,
        action: 'create',
        changes: createdFields(view),
        events: [
          { type: 'customer.created', data: { customer: view } },
          ...(assignment ? [{ type: 'customer.assigned', data: assignmentData(assignment) }] : []),
        ],
      });
      const notifications = assignment
        ? assignmentNotifications(deps, actor.tenantId, now, assignment, { type: 'customer', id: customer.customerId, name: customer.name })
        : [];
      const guards = await uniqueValueWrites(deps, actor.tenantId, {
        before: [],
        after: customerUniqueValues(customer),
        holder: { holderType: 'customer', holderId: customer.customerId, customerId: customer.customerId },
        allowDuplicate,
      });
      return {
        result: view,
        write: (tx) => {
          tx.put('customer', tx.entities.customer.create(customer).commit());
          guards(tx);
          tx.notify(notifications).log(log);
        },
      };
    });
  } finally {
    await assignment?.settle();
  }
}

export async function getCustomer(deps: Deps, actor: Actor, customerId: string): Promise<CustomerView> {
  return toCustomerView(await readCustomer(deps, actor, customerId));
}

export async function listCustomers(deps: Deps, actor: Actor, input: ListCustomersInput): Promise<Page<CustomerView>> {
  const { tenantId } = actor;
  const state = input.archived === 'true' ? 'archived' : 'active';
  const index = customerListIndex(input);
  const { customer } = deps.db.entities;
  const scope = [tenantId, 'customers', state, input.owner, input.lifecycle, input.segment, input.tag, input.q].join('|');
  const needsFilter = input.segment !== undefined || input.tag !== undefined || (index === 'byOwner' && input.lifecycle !== undefined);

  const base =
    index === 'byOwner'
      ? customer.query.byOwner({ tenantId, owner: input.owner as string, state })
      : index === 'byLifecycle'
        ? customer.query.byLifecycle({ tenantId, lifecycle: input.lifecycle as CustomerItem['lifecycle'], state })
        : customer.query.byName({ tenantId, state });
  const ranged = input.q === undefined ? base : base.begins({ sortName: nameSortKey(input.q) });
  const filtered = ranged.where((attr, op) =>
    [
      index === 'byOwner' && input.lifecycle !== undefined ? op.eq(attr.lifecycle, input.lifecycle) : '',
      input.segment !== undefined ? op.eq(attr.segment, input.segment) : '',
      input.tag !== undefined ? op.contains(attr.tags, input.tag.trim().toLowerCase()) : '',
    ]
      .filter(Boolean)
      .join(' AND '),
  );
  // Without filters a page is exactly one request of `limit` items; with filters it reads ahead in bigger chunks.
  const page = await readPage(deps, scope, input, filtered, { filtered: needsFilter });
  return { ...page, items: page.items.map(toCustomerView) };
}

export async function updateCustomer(
  deps: Deps,
  actor: Actor,
  customerId: string,
  patch: UpdateCustomerInput,
  options: WriteOptions = {},
): Promise<CustomerView> {
  const allowDuplicate = options.allowDuplicate ?? false;
  assertMayForceDuplicate(actor, allowDuplicate);
  const normalized: Record<string, unknown> = {
    ...patch,
    ...(typeof patch.domain === 'string' && { domain: normalizeDomain(patch.domain) }),
    ...(Array.isArray(patch.tags) && { tags: normalizeTags(patch.tags) }),
  };
  if (patch.tags === null) normalized.tags = [];

  return versionedWrite(deps, options, {
    read: () => readCustomer(deps, actor, customerId),
    version: (current) => current.version,
    build: (current) => {
      assertMayChangeOwned(actor, current.owner, 'customer');
      assertMayReassign(actor, current.owner, patch.owner);
      assertNotArchived(current);
      const next = applyPatch(current, normalized);
      const changes = diffFields(current, next);
      if (Object.keys(changes).length === 0) return { result: toCustomerView(current) };
      const now = deps.clock.now().toISOString();
      return saveCustomer(deps, actor, current, { ...next, updatedAt: now, updatedBy: actor.userId }, 'update', changes, allowDuplicate);
    },
  });
}

export async function archiveCustomer(deps: Deps, actor: Actor, customerId: string, options: WriteOptions = {}): Promise<void> {
  await versionedWrite(deps, options, {
    read: () => readCustomer(deps, actor, customerId),
    version: (current) => current.version,
    build: (current) => {
      assertMayChangeOwned(actor, current.owner, 'customer');
      if (current.state === 'archived') return { result: toCustomerView(current) };
      const now = deps.clock.now().toISOString();
      const next: CustomerItem = { ...current, state: 'archived', archivedAt: now, updatedAt: now, updatedBy: actor.userId };
      return saveCustomer(deps, actor, current, next, 'archive', diffFields(current, next), true);
    },
  });
}

export async function restoreCustomer(deps: Deps, actor: Actor, customerId: string, options: WriteOptions = {}): Promise<CustomerView> {
  return versionedWrite(deps, options, {
    read: () => readCustomer(deps, actor, customerId),
    version: (current) => current.version,
    build: (current) => {
      assertMayChangeOwned(actor, current.owner, 'customer');
      if (current.state === 'active') return { result: toCustomerView(current) };
      const now = deps.clock.now().toISOString();
      const { archivedAt: _archivedAt, ...rest } = current;
      const next: CustomerItem = { ...rest, state: 'active', updatedAt: now, updatedBy: actor.userId };
      return saveCustomer(deps, actor, current, next, 'restore', diffFields(current, next), true);
    },
  });
}

/**
 * A new version of a customer, moving its unique-value guards along. The guards of an archived customer stay
 * claimed: a new customer with the same domain is a duplicate of the archived one (restore it instead).
 */
export async function saveCustomer(
  deps: Deps,
  actor: Actor,
  current: CustomerItem,
  next: CustomerItem,
  action: CustomerAction,
  changes: Record<string, FieldChange>,
  allowDuplicate: boolean,
  notifications: NotificationItem[] = [],
): Promise<Planned<CustomerView>> {
  const saved: CustomerItem = withCustomerSince({ ...next, version: current.version + 1 }, next.updatedAt);
  const log = logChange(deps, actor, saved.updatedAt, {
    entityType: 'customer',
    entityId: current.customerId,
    action,
    changes,
    events: customerEvents(action, changes, saved),
  });
  const guards = await uniqueValueWrites(deps, actor.tenantId, {
    before: customerUniqueValues(current),
    after: customerUniqueValues(saved),
    holder: { holderType: 'customer', holderId: current.customerId, customerId: current.customerId },
    allowDuplicate,
  });
  return {
    result: toCustomerView(saved),
    write: (tx) => {
      replaceCustomer(tx, saved, current.version);
      guards(tx);
      tx.notify(notifications).log(log);
    },
  };
}

/** The customer replaced, on the condition that it is still at the version it was read at. */
export function replaceCustomer(tx: WriteSet, saved: CustomerItem, readVersion: number): void {
  tx.record(
    'customer',
    tx.entities.customer
      .put(saved)
      .where((attr, op) => op.eq(attr.version, readVersion))
      .commit(),
  );
}

/** The events a customer change publishes: what changed, plus the facts others listen for. */
export function customerEvents(action: CustomerAction, changes: Record<string, FieldChange>, saved: CustomerItem) {
  if (action === 'assign') {
    return [{ type: 'customer.reassigned', data: { from: changes.owner?.from, to: saved.owner, reason: changes.reason?.to } }];
  }
  if (action === 'archive') return [{ type: 'customer.archived', data: { customerId: saved.customerId } }];
  if (action === 'restore') return [{ type: 'customer.restored', data: { customerId: saved.customerId } }];
  return [
    { type: 'customer.updated', data: { changes } },
    ...(changes.owner ? [{ type: 'customer.reassigned', data: { from: changes.owner.from, to: changes.owner.to } }] : []),
    ...(changes.lifecycle ? [{ type: 'customer.lifecycle_changed', data: { from: changes.lifecycle.from, to: changes.lifecycle.to } }] : []),
  ];
}

export async function readCustomer(deps: Deps, actor: Actor, customerId: string): Promise<CustomerItem> {
  const { data } = await deps.db.entities.customer.get({ tenantId: actor.tenantId, customerId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Customer ${customerId} not found`);
  return data;
}

export function assertNotArchived(customer: CustomerItem): void {
  if (customer.state === 'archived') {
    throw new ConflictError(`Customer ${customer.customerId} is archived; restore it first`, {
      customerId: customer.customerId,
    });
  }
}

export function toCustomerView(item: CustomerItem): CustomerView {
  return compact({
    id: item.customerId,
    name: item.name,
    lifecycle: item.lifecycle,
    segment: item.segment,
    territory: item.territory,
    industry: item.industry,
    source: item.source,
    tags: item.tags ?? [],
    address: item.address,
    domain: item.domain,
    email: item.email,
    phone: item.phone,
    owner: item.owner,
    lastContactedAt: item.lastContactedAt,
    customerSince: item.customerSince,
    archived: item.state === 'archived',
    archivedAt: item.archivedAt,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
    version: item.version,
  });
}
