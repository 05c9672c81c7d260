/**
 * The one write path of every change (DESIGN "Single-table model"): read → `If-Match` → build → one
 * transaction. The use case names each item it adds by its role, and a cancelled transaction is decoded by the
 * item that failed, never by its position:
 *
 * - `record` — something read at a version, or read as absent, and written on that condition. It changed
 *   meanwhile: the change is re-applied on a fresh read (bounded, jittered); with `If-Match` the fresh read
 *   answers 412; after the last attempt, 409 "try again".
 * - `unique` — a unique value claimed by the record: taken, a 409 naming the record that holds it (freed
 *   meanwhile: re-applied).
 * - `check` — a condition on another item: failed, the refusal the use case gave for it (409, 422…).
 * - `put` — items that cannot collide: new ids, audit entries, events, notifications.
 * - `TransactionConflict` on any item (another transaction held it): re-applied like a concurrent change.
 * - Anything else: 503, with every item's reason as the error's cause (logged by the problem mapper).
 *
 * Every change logs its audit entry and events in the same transaction (`tx.log`); a write that deliberately
 * leaves no trace says why (`tx.unlogged`), so a forgotten audit entry fails loudly, not silently.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb, TransactionCommit, TransactionEntities } from '../db';
import { ConcurrentChangeError, PreconditionFailedError, ServiceUnavailableError, type ConflictError, type DomainError } from '../errors';
import type { ChangeLog } from './change-log';
import type { Deps } from './ports';

/** How often a change is applied on a fresh read when concurrent writers got there first. */
export const MAX_WRITE_ATTEMPTS = 5;

export interface WriteOptions {
  /** The version the client last saw (`If-Match`); a different current version answers 412. */
  ifMatch?: number;
  /** Managers and admins: keep a known duplicate (`allowDuplicate=true`). */
  allowDuplicate?: boolean;
}

type NotificationItem = EntityItem<SalesDb['entities']['notification']>;

type Item =
  | { role: 'record'; name: string; commit: TransactionCommit }
  | { role: 'unique'; name: string; commit: TransactionCommit; duplicate: () => Promise<ConflictError | undefined> }
  | { role: 'check'; name: string; commit: TransactionCommit; refusal: () => DomainError }
  | { role: 'put'; name: string; commit: TransactionCommit };

/** The items of one transaction, each with the role that says what its failure means. */
export class WriteSet {
  readonly items: Item[] = [];
  private trace: 'none' | 'logged' | 'unlogged' = 'none';

  constructor(readonly entities: TransactionEntities) {}

  /** A record written on the condition of what was read (its version, or its absence). */
  record(name: string, commit: TransactionCommit): this {
    this.items.push({ role: 'record', name, commit });
    return this;
  }

  /** A unique value's guard; `duplicate` says who holds it (undefined: nobody any more). */
  unique(name: string, commit: TransactionCommit, duplicate: () => Promise<ConflictError | undefined>): this {
    this.items.push({ role: 'unique', name, commit, duplicate });
    return this;
  }

  /** A condition on another item; when it fails the change is refused with `refusal()`. */
  check(name: string, commit: TransactionCommit, refusal: () => DomainError): this {
    this.items.push({ role: 'check', name, commit, refusal });
    return this;
  }

  /** Items that cannot collide with anything: fresh ids, notifications, timers. */
  put(name: string, ...commits: TransactionCommit[]): this {
    for (const commit of commits) this.items.push({ role: 'put', name, commit });
    return this;
  }

  /** Notifications the change sends (fresh ids: they cannot collide). */
  notify(notifications: readonly NotificationItem[]): this {
    return this.put('notification', ...notifications.map((item) => this.entities.notification.create(item).commit()));
  }

  /** The change's audit entry and domain events (the outbox). */
  log(log: ChangeLog): this {
    this.put('auditEntry', this.entities.auditEntry.create(log.audit).commit());
    for (const event of log.events) this.put('domainEvent', this.entities.domainEvent.create(event).commit());
    this.trace = 'logged';
    return this;
  }

  /** A write that is bookkeeping, not a change anyone audits (a timer moved on, a claim confirmed later). */
  unlogged(_why: string): this {
    if (this.trace === 'none') this.trace = 'unlogged';
    return this;
  }

  assertTraced(): void {
    if (this.trace === 'none') throw new Error(`A change writes ${this.items.map((item) => item.name).join(', ')} without an audit entry`);
  }
}

/** What a change decided: its answer, and its writes (none: nothing changes). */
export interface Planned<T> {
  result: T;
  write?: (tx: WriteSet) => void;
}

export interface WriteSteps<R, T> {
  /** Reads what the change depends on (consistently); run again on every attempt. */
  read: () => Promise<R>;
  /** The version `If-Match` is compared with; omitted where there is nothing to match (creates). */
  version?: (current: R) => number;
  /** Decides the change from what was read. Throw a domain error to refuse it. */
  build: (current: R) => Planned<T> | Promise<Planned<T>>;
}

export async function versionedWrite<R, T>(deps: Deps, options: WriteOptions, steps: WriteSteps<R, T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await steps.read();
    if (steps.version) assertVersion(steps.version(current), options.ifMatch);
    const planned = await steps.build(current);
    if (!planned.write) return planned.result;
    if ((await commitWriteSet(deps, planned.write)) === 'committed') return planned.result;
    if (attempt >= MAX_WRITE_ATTEMPTS) throw new ConcurrentChangeError();
    // A little apart, so writers that collided do not collide again in lockstep.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 15 * attempt));
  }
}

/** A change that reads nothing first (a create whose items cannot be stale): built once, committed, decoded. */
export function createWrite<T>(deps: Deps, build: () => Planned<T> | Promise<Planned<T>>): Promise<T> {
  return versionedWrite(deps, {}, { read: async () => undefined, build });
}

export function assertVersion(current: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new PreconditionFailedError(`If-Match names version ${ifMatch}, the current version is ${current}`, current);
  }
}

/** The store's reasons, item by item, for a transaction it cancelled without a condition of ours failing. */
export class TransactionCanceledError extends Error {
  constructor(readonly reasons: ReadonlyArray<{ item: string; role: string; code: string; message?: string }>) {
    super(`Transaction cancelled: ${reasons.map((reason) => `${reason.item}=${reason.code}`).join(', ')}`);
    this.name = 'TransactionCanceledError';
  }
}

export async function commitWriteSet(deps: Deps, write: (tx: WriteSet) => void): Promise<'committed' | 'stale'> {
  let items: Item[] = [];
  const outcome = await deps.db.transaction
    .write((entities) => {
      const tx = new WriteSet(entities);
      write(tx);
      tx.assertTraced();
      items = tx.items;
      return items.map((item) => item.commit);
    })
    .go();
  if (!outcome.canceled) return 'committed';

  const results: ReadonlyArray<{ code?: string; message?: string }> = outcome.data;
  const reasons = items.map((item, index) => ({ item, code: results[index]?.code ?? 'None', message: results[index]?.message }));
  const conditionFailed = reasons.filter((reason) => reason.code === 'ConditionalCheckFailed').map((reason) => reason.item);
  for (const item of conditionFailed) if (item.role === 'check') throw item.refusal();
  for (const item of conditionFailed) {
    if (item.role !== 'unique') continue;
    const duplicate = await item.duplicate();
    if (duplicate) throw duplicate;
  }
  const explained = (reason: (typeof reasons)[number]) =>
    reason.code === 'None' ||
    reason.code === 'TransactionConflict' ||
    (reason.code === 'ConditionalCheckFailed' && (reason.item.role === 'record' || reason.item.role === 'unique'));
  if (reasons.every(explained) && reasons.some((reason) => reason.code !== 'None')) return 'stale';
  throw new ServiceUnavailableError('The change could not be saved right now; try again', {
    cause: new TransactionCanceledError(
      reasons.map((reason) => ({ item: reason.item.name, role: reason.item.role, code: reason.code, ...(reason.message && { message: reason.message }) })),
    ),
  });
}
