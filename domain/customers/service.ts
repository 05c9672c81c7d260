/**
 * Use cases of customer information management: customers, their contacts and their communication history.
 * Every change is one DynamoDB transaction: the record, its unique-value guards and its audit entry commit
 * together or not at all. Writes are conditional on the version read, so concurrent writers never lose an
 * update: with `If-Match` a stale version answers 412, without it the change is re-applied on the fresh record.
 */
import type { EntityItem } from 'electrodb';
import { auditItem } from '../audit/service';
import type { SalesDb } from '../db';
import { ConflictError, NotFoundError, PreconditionFailedError, UnprocessableError } from '../errors';
import { assertMayChangeOwned, seesWholeTenant, type Actor } from '../shared/actor';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { conflictedWithAnotherTransaction, rejectedAt, type TransactionOutcome } from '../shared/store-errors';
import {
  activityOccurredAt,
  applyPatch,
  assertMayForceDuplicate,
  assertMayReassign,
  contactUniqueValues,
  customerListIndex,
  customerUniqueValues,
  diffFields,
  nextLastContactedAt,
  normalizeDomain,
  normalizeTags,
  nameSortKey,
  ownerForNewRecord,
  uniqueValueChanges,
  type UniqueClaim,
} from './rules';
import type {
  ActivityView,
  ContactView,
  CreateActivityInput,
  CreateContactInput,
  CreateCustomerInput,
  CustomerView,
  ListCustomersInput,
  UpdateContactInput,
  UpdateCustomerInput,
} from './schemas';

type Entities = SalesDb['entities'];
type CustomerItem = EntityItem<Entities['customer']>;
type ContactItem = EntityItem<Entities['contact']>;
type ActivityItem = EntityItem<Entities['activity']>;
type UniqueValueItem = EntityItem<Entities['uniqueValue']>;

/** How often a write is re-applied on a fresh read when a concurrent writer got there first. */
const MAX_WRITE_ATTEMPTS = 5;

export interface WriteOptions {
  /** The version the client last saw (`If-Match`); a different current version answers 412. */
  ifMatch?: number;
  /** Managers and admins: keep a known duplicate domain/email (`allowDuplicate=true`). */
  allowDuplicate?: boolean;
}

// ---- customers -----------------------------------------------------------------------------------

export async function createCustomer(
  deps: Deps,
  actor: Actor,
  input: CreateCustomerInput,
  options: WriteOptions = {},
): Promise<CustomerView> {
  const allowDuplicate = options.allowDuplicate ?? false;
  assertMayForceDuplicate(actor, allowDuplicate);
  const now = deps.clock.now().toISOString();
  const customer: CustomerItem = {
    tenantId: actor.tenantId,
    customerId: deps.ids.next(),
    name: input.name,
    lifecycle: input.lifecycle ?? 'lead',
    segment: input.segment,
    industry: input.industry,
    source: input.source,
    tags: normalizeTags(input.tags ?? []),
    address: input.address,
    domain: input.domain === undefined ? undefined : normalizeDomain(input.domain),
    email: input.email,
    phone: input.phone,
    owner: ownerForNewRecord(actor, input.owner),
    state: 'active',
    createdAt: now,
    createdBy: actor.userId,
    updatedAt: now,
    updatedBy: actor.userId,
    version: 1,
  };
  const audit = auditItem(deps, actor, now, {
    entityType: 'customer',
    entityId: customer.customerId,
    action: 'create',
    changes: diffFields({}, toCustomerView(customer), ['version', 'updatedAt', 'updatedBy', 'createdAt', 'createdBy', 'id']),
  });

  await writeWithUniqueValues(deps, actor, {
    claims: customerUniqueValues(customer),
    releases: [],
    holder: { holderType: 'customer', holderId: customer.customerId, customerId: customer.customerId },
    allowDuplicate,
    write: ({ customer: entity, auditEntry }) => [entity.create(customer).commit(), auditEntry.create(audit).commit()],
    recordRejected: () => false,
  });
  return toCustomerView(customer);
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

  const page = await readPage(scope, input, ({ cursor, limit }) => {
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
    // Without filters a page is exactly one request of `limit` items; with filters read ahead in bigger chunks.
    return filtered.go({ cursor, count: limit, limit: needsFilter ? Math.max(limit, 100) : limit });
  });
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

  return retryOnConcurrentChange(async () => {
    const current = await readCustomer(deps, actor, customerId);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'customer');
    assertMayReassign(actor, current.owner, patch.owner);
    assertNotArchived(current);
    const now = deps.clock.now().toISOString();
    const next = applyPatch(current, normalized);
    const changes = diffFields(current, next);
    if (Object.keys(changes).length === 0) return toCustomerView(current);
    return saveCustomer(deps, actor, current, { ...next, updatedAt: now, updatedBy: actor.userId }, 'update', changes, allowDuplicate);
  }, options);
}

export async function archiveCustomer(deps: Deps, actor: Actor, customerId: string, options: WriteOptions = {}): Promise<void> {
  await retryOnConcurrentChange(async () => {
    const current = await readCustomer(deps, actor, customerId);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'customer');
    if (current.state === 'archived') return toCustomerView(current);
    const now = deps.clock.now().toISOString();
    const next: CustomerItem = { ...current, state: 'archived', archivedAt: now, updatedAt: now, updatedBy: actor.userId };
    return saveCustomer(deps, actor, current, next, 'archive', diffFields(current, next), true);
  }, options);
}

export async function restoreCustomer(deps: Deps, actor: Actor, customerId: string, options: WriteOptions = {}): Promise<CustomerView> {
  return retryOnConcurrentChange(async () => {
    const current = await readCustomer(deps, actor, customerId);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'customer');
    if (current.state === 'active') return toCustomerView(current);
    const now = deps.clock.now().toISOString();
    const { archivedAt: _archivedAt, ...rest } = current;
    const next: CustomerItem = { ...rest, state: 'active', updatedAt: now, updatedBy: actor.userId };
    return saveCustomer(deps, actor, current, next, 'restore', diffFields(current, next), true);
  }, options);
}

/**
 * Writes a new version of a customer, moving its unique-value guards along. The guards of an archived customer
 * stay claimed: a new customer with the same domain is a duplicate of the archived one (restore it instead).
 */
async function saveCustomer(
  deps: Deps,
  actor: Actor,
  current: CustomerItem,
  next: CustomerItem,
  action: string,
  changes: Record<string, unknown>,
  allowDuplicate: boolean,
): Promise<CustomerView> {
  const saved: CustomerItem = { ...next, version: current.version + 1 };
  const { claim, release } = uniqueValueChanges(customerUniqueValues(current), customerUniqueValues(saved));
  const audit = auditItem(deps, actor, saved.updatedAt, {
    entityType: 'customer',
    entityId: current.customerId,
    action,
    changes: changes as Record<string, { from?: unknown; to?: unknown }>,
  });
  await writeWithUniqueValues(deps, actor, {
    claims: claim,
    releases: release,
    holder: { holderType: 'customer', holderId: current.customerId, customerId: current.customerId },
    allowDuplicate,
    write: ({ customer, auditEntry }) => [
      customer
        .put(saved)
        .where((attr, op) => op.eq(attr.version, current.version))
        .commit(),
      auditEntry.create(audit).commit(),
    ],
    recordRejected: (outcome) => rejectedAt(outcome, 0),
  });
  return toCustomerView(saved);
}

async function readCustomer(deps: Deps, actor: Actor, customerId: string): Promise<CustomerItem> {
  const { data } = await deps.db.entities.customer.get({ tenantId: actor.tenantId, customerId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Customer ${customerId} not found`);
  return data;
}

function assertNotArchived(customer: CustomerItem): void {
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
    industry: item.industry,
    source: item.source,
    tags: item.tags ?? [],
    address: item.address,
    domain: item.domain,
    email: item.email,
    phone: item.phone,
    owner: item.owner,
    lastContactedAt: item.lastContactedAt,
    archived: item.state === 'archived',
    archivedAt: item.archivedAt,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
    version: item.version,
  });
}

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
  const audit = auditItem(deps, actor, now, {
    entityType: 'contact',
    entityId: contact.contactId,
    parentId: customerId,
    action: 'create',
    changes: diffFields({}, toContactView(contact), ['version', 'updatedAt', 'updatedBy', 'createdAt', 'createdBy', 'id']),
  });
  await writeWithUniqueValues(deps, actor, {
    claims: contactUniqueValues(contact),
    releases: [],
    holder: { holderType: 'contact', holderId: contact.contactId, customerId },
    allowDuplicate,
    write: ({ contact: entity, auditEntry }) => [entity.create(contact).commit(), auditEntry.create(audit).commit()],
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
    const audit = auditItem(deps, actor, now, {
      entityType: 'contact',
      entityId: current.contactId,
      parentId: current.customerId,
      action: 'update',
      changes,
    });
    await writeWithUniqueValues(deps, actor, {
      claims: claim,
      releases: release,
      holder: { holderType: 'contact', holderId: current.contactId, customerId: current.customerId },
      allowDuplicate,
      write: ({ contact, auditEntry }) => [
        contact
          .put(saved)
          .where((attr, op) => op.eq(attr.version, current.version))
          .commit(),
        auditEntry.create(audit).commit(),
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
    const audit = auditItem(deps, actor, now, {
      entityType: 'contact',
      entityId: current.contactId,
      parentId: current.customerId,
      action: 'delete',
      changes: diffFields(toContactView(current), {}, ['version', 'updatedAt', 'updatedBy', 'createdAt', 'createdBy', 'id']),
    });
    await writeWithUniqueValues(deps, actor, {
      claims: [],
      releases: contactUniqueValues(current),
      holder: { holderType: 'contact', holderId: current.contactId, customerId: current.customerId },
      allowDuplicate: true,
      write: ({ contact, auditEntry }) => [
        contact
          .delete({ tenantId: actor.tenantId, customerId: current.customerId, contactId: current.contactId })
          .where((attr, op) => op.eq(attr.version, current.version))
          .commit(),
        auditEntry.create(audit).commit(),
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

// ---- activities (communication history) --------------------------------------------------------

/** Reps log history on their own customers; managers, admins and service on any of the tenant's. */
function assertMayLogHistory(actor: Actor, owner: string): void {
  if (seesWholeTenant(actor) || actor.roles.includes('service')) return;
  assertMayChangeOwned(actor, owner, 'customer');
}

export async function logActivity(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: CreateActivityInput,
): Promise<ActivityView> {
  const now = deps.clock.now();
  const occurredAt = activityOccurredAt(input.occurredAt, now);
  const activity: ActivityItem = {
    tenantId: actor.tenantId,
    customerId,
    activityId: deps.ids.next(),
    type: input.type,
    subject: input.subject,
    body: input.body,
    occurredAt,
    contactId: input.contactId,
    createdAt: now.toISOString(),
    createdBy: actor.userId,
  };
  const audit = auditItem(deps, actor, activity.createdAt, {
    entityType: 'activity',
    entityId: activity.activityId,
    parentId: customerId,
    action: 'create',
    changes: diffFields({}, toActivityView(activity), ['createdAt', 'createdBy', 'id']),
  });

  return retryOnConcurrentChange(async () => {
    const customer = await readCustomer(deps, actor, customerId);
    assertMayLogHistory(actor, customer.owner);
    const lastContactedAt = nextLastContactedAt(customer.lastContactedAt, occurredAt);
    const moves = lastContactedAt !== customer.lastContactedAt;
    const outcome = await deps.db.transaction
      .write(({ activity: activities, customer: customers, contact, auditEntry }) => [
        activities.create(activity).commit(),
        auditEntry.create(audit).commit(),
        // lastContactedAt moves in the same transaction, and only forward; the version guard keeps a
        // concurrent PATCH from being overwritten.
        moves
          ? customers
              .patch({ tenantId: actor.tenantId, customerId })
              .set({ lastContactedAt, version: customer.version + 1 })
              .where((attr, op) => op.eq(attr.version, customer.version))
              .commit()
          : customers
              .check({ tenantId: actor.tenantId, customerId })
              .where((attr, op) => op.exists(attr.customerId))
              .commit(),
        ...(activity.contactId === undefined
          ? []
          : [
              contact
                .check({ tenantId: actor.tenantId, customerId, contactId: activity.contactId })
                .where((attr, op) => op.exists(attr.contactId))
                .commit(),
            ]),
      ])
      .go();
    if (rejectedAt(outcome, 3)) {
      throw new UnprocessableError('The contact is not one of this customer\'s contacts', [
        { path: 'body.contactId', message: `No contact ${activity.contactId} on customer ${customerId}` },
      ]);
    }
    if (rejectedAt(outcome, 2) || conflictedWithAnotherTransaction(outcome)) throw new ConcurrentChange();
    if (outcome.canceled) throw new Error(`Logging activity failed: ${describe(outcome)}`);
    return toActivityView(activity);
  }, {});
}

export async function getTimeline(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: PageRequest,
): Promise<Page<ActivityView>> {
  const scope = `${actor.tenantId}|timeline|${customerId}`;
  const page = await readPage(scope, input, ({ cursor, limit }) =>
    deps.db.entities.activity.query
      .timeline({ tenantId: actor.tenantId, customerId })
      .go({ cursor, count: limit, limit, order: 'desc' }),
  );
  if (page.items.length === 0 && input.cursor === undefined) await readCustomer(deps, actor, customerId);
  return { ...page, items: page.items.map(toActivityView) };
}

export function toActivityView(item: ActivityItem): ActivityView {
  return compact({
    id: item.activityId,
    customerId: item.customerId,
    type: item.type,
    subject: item.subject,
    body: item.body,
    occurredAt: item.occurredAt,
    contactId: item.contactId,
    opportunityId: item.opportunityId,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
  });
}

// ---- shared write machinery ----------------------------------------------------------------------

type TransactionEntities = Parameters<Parameters<SalesDb['transaction']['write']>[0]>[0];
type Commit = ReturnType<Parameters<SalesDb['transaction']['write']>[0]>[number];

interface UniqueWrite {
  claims: UniqueClaim[];
  releases: UniqueClaim[];
  holder: Pick<UniqueValueItem, 'holderType' | 'holderId' | 'customerId'>;
  allowDuplicate: boolean;
  /** The record's own writes; they come first in the transaction. */
  write: (entities: TransactionEntities) => Commit[];
  /** Whether the record's own condition (its version) is what failed. */
  recordRejected: (outcome: TransactionOutcome) => boolean;
}

/**
 * Commits a record together with its unique-value guards: claims new values (409 naming the holder when
 * taken), releases values the record no longer has (only guards it holds itself: a forced duplicate never
 * frees the original's value).
 */
async function writeWithUniqueValues(deps: Deps, actor: Actor, plan: UniqueWrite): Promise<void> {
  const { tenantId } = actor;
  const guardsToRelease = (
    await Promise.all(plan.releases.map((claim) => readGuard(deps, tenantId, claim)))
  ).filter((guard): guard is UniqueValueItem => guard !== null && guard.holderId === plan.holder.holderId);
  let claims = plan.claims;
  if (plan.allowDuplicate) {
    const held = await Promise.all(claims.map((claim) => readGuard(deps, tenantId, claim)));
    claims = claims.filter((_, index) => held[index] === null);
  }

  let ownCount = 0;
  const outcome = await deps.db.transaction
    .write((entities) => {
      const own = plan.write(entities);
      ownCount = own.length;
      return [
        ...own,
        ...claims.map((claim) => entities.uniqueValue.create({ tenantId, ...claim, ...plan.holder }).commit()),
        ...guardsToRelease.map((guard) =>
          entities.uniqueValue
            .delete({ tenantId, kind: guard.kind, value: guard.value })
            .where((attr, op) => op.eq(attr.holderId, plan.holder.holderId))
            .commit(),
        ),
      ];
    })
    .go();
  if (!outcome.canceled) return;

  if (plan.recordRejected(outcome)) throw new ConcurrentChange();
  const takenIndex = claims.findIndex((_, index) => rejectedAt(outcome, ownCount + index));
  const taken = claims[takenIndex];
  if (taken) {
    const holder = await readGuard(deps, tenantId, taken);
    if (holder === null || plan.allowDuplicate) throw new ConcurrentChange();
    throw duplicateError(taken, holder);
  }
  if (conflictedWithAnotherTransaction(outcome)) throw new ConcurrentChange();
  throw new Error(`Write transaction canceled: ${describe(outcome)}`);
}

async function readGuard(deps: Deps, tenantId: string, claim: UniqueClaim): Promise<UniqueValueItem | null> {
  const { data } = await deps.db.entities.uniqueValue.get({ tenantId, ...claim }).go({ consistent: true });
  return data;
}

function duplicateError(claim: UniqueClaim, holder: UniqueValueItem): ConflictError {
  const field = claim.kind === 'customer-domain' ? 'domain' : 'email';
  const existing =
    holder.holderType === 'customer'
      ? { type: 'customer', id: holder.holderId, href: `/customers/${holder.holderId}` }
      : { type: 'contact', id: holder.holderId, customerId: holder.customerId, href: `/customers/${holder.customerId}/contacts` };
  return new ConflictError(`A ${holder.holderType} with this ${field} already exists: ${holder.holderId}`, {
    field,
    value: claim.value,
    existing,
  });
}

/** Thrown inside a write attempt when another writer changed the record first. */
class ConcurrentChange extends Error {}

/**
 * Re-runs read-check-write when a concurrent writer won the race — unless the client pinned a version with
 * If-Match, in which case the race is theirs to see (412).
 */
async function retryOnConcurrentChange<T>(attempt: () => Promise<T>, options: WriteOptions): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentChange)) throw error;
      if (options.ifMatch !== undefined) {
        throw new PreconditionFailedError('The record was changed by someone else; read it again and retry');
      }
      if (tries >= MAX_WRITE_ATTEMPTS) {
        throw new ConflictError('The record is being changed by others right now; try again');
      }
    }
  }
}

function assertVersion(current: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new PreconditionFailedError(`If-Match names version ${ifMatch}, the current version is ${current}`, current);
  }
}

function describe(outcome: TransactionOutcome): string {
  return outcome.data.map((item) => item.code ?? 'None').join(', ');
}

/** Drops undefined fields so responses carry only what is set. */
function compact<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
