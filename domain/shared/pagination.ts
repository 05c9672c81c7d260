/**
 * Lists: one page of a store query behind a signed cursor, at a bounded cost per request.
 *
 * A cursor is `<payload>.<mac>` (base64url): the payload is where the list goes on (a DynamoDB key: the last item
 * read, or the last item kept), the MAC an HMAC-SHA256 under the stage's cursor key (`deps.cursorKey`) over the list's scope
 * (tenant, access pattern, filters) and the payload. A cursor a client made or changed, or one issued for another
 * list, tenant or stage, is a 400 naming `query.cursor`; the MAC is compared in constant time.
 *
 * A request reads at most MAX_ITEMS_READ items from the store. A filter that matches little (or nothing) of a
 * large partition therefore answers a page with fewer than `limit` items, possibly none, and a `nextCursor` where
 * the reading stopped: a client continues while `nextCursor` is not null.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors';
import { GLOBAL_INDEXES, TABLE_KEYS } from '../table';
import type { Deps } from './ports';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/**
 * The most items one list request reads (DynamoDB `Limit`s summed): 5 × the largest page. At ~1 KB an item that
 * is ≤ ~1 MB and ~125 read units (eventually consistent), in ≤ 10 sequential Queries for a filtered list.
 */
export const MAX_ITEMS_READ = 1000;
/** A filtered list reads ahead in chunks of at least this many items (most of a chunk may be filtered out). */
export const READ_AHEAD = 100;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** The ElectroDB options of one store request, as readPage hands them to `go()`. */
export interface StorePage {
  /** ElectroDB's cursor (its ExclusiveStartKey), or undefined from the start. */
  cursor: string | undefined;
  /** The DynamoDB `Limit`: items read by this one request (one request: no `count`, one page). */
  limit: number;
  /** Items come back with their stored keys, so a page that ends inside a DynamoDB page resumes at its last item. */
  data: 'includeKeys';
  order?: 'asc' | 'desc';
}

/** An ElectroDB query, as `entity.query.<accessPattern>(…)`, `.begins(…)`, `.where(…)` and the like return it. */
export interface StoreQuery<T> {
  go(options: StorePage): Promise<{ data: T[]; cursor: string | null }>;
  /** Its DynamoDB parameters: readPage reads the index (`IndexName`) to know which keys a position is made of. */
  params(): object;
}

export interface ReadOptions {
  /** The query has a filter expression (a request may return fewer items than it reads): read ahead READ_AHEAD at a time. */
  filtered?: boolean;
  order?: 'asc' | 'desc';
}

/** A DynamoDB key: what the list resumes from. */
type StoreKey = Record<string, string | number>;

/** The attributes `includeKeys` adds to an item: every key of the table and its indexes, and ElectroDB's own. */
const STORED_ONLY: readonly string[] = [
  TABLE_KEYS.partitionKey,
  TABLE_KEYS.sortKey,
  ...GLOBAL_INDEXES.flatMap((index) => [index.partitionKey, index.sortKey]),
  '__edb_e__',
  '__edb_v__',
];

/**
 * One page of `query` behind our cursor: `readPage(deps, scope, input, entity.query.byName({ … }))`. It sends
 * one DynamoDB request at a time, as many as the page needs to fill `limit`, within MAX_ITEMS_READ items read.
 * The key is loaded only when a cursor is read or made.
 */
export async function readPage<T extends object>(
  deps: Pick<Deps, 'cursorKey'>,
  scope: string,
  request: PageRequest,
  query: StoreQuery<T>,
  options: ReadOptions = {},
): Promise<Page<T>> {
  const limit = request.limit ?? DEFAULT_PAGE_SIZE;
  const start = request.cursor === undefined ? undefined : openCursor(await deps.cursorKey(), scope, request.cursor);
  const keys = keysOfIndex((query.params() as { IndexName?: string }).IndexName);
  let position = start;
  let more = true;
  let budget = MAX_ITEMS_READ;
  const items: T[] = [];
  try {
    while (more && items.length < limit && budget > 0) {
      const wanted = limit - items.length;
      const chunk = Math.min(options.filtered ? Math.max(wanted, READ_AHEAD) : wanted, budget);
      budget -= chunk;
      const result = await query.go({
        cursor: position && toStoreCursor(position),
        limit: chunk,
        data: 'includeKeys',
        ...(options.order && { order: options.order }),
      });
      const kept = result.data.slice(0, wanted);
      items.push(...kept.map(withoutStoredKeys));
      // More matches than the page wants: the next page starts after the last item kept (and reads the rest again).
      position = result.data.length > wanted ? positionOf(kept[kept.length - 1]!, keys) : fromStoreCursor(result.cursor);
      more = position !== undefined;
    }
  } catch (error) {
    if (start !== undefined && isBadCursorError(error)) throw invalidCursor('Not a cursor for this list');
    throw error;
  }
  return { items, nextCursor: position === undefined ? null : sealCursor(await deps.cursorKey(), scope, position) };
}

/** The cursor that continues `scope` from `position`, signed with `key`. */
export function sealCursor(key: Uint8Array, scope: string, position: StoreKey): string {
  const payload = Buffer.from(JSON.stringify({ k: position })).toString('base64url');
  return `${payload}.${mac(key, scope, payload).toString('base64url')}`;
}

/** Where a cursor issued for `scope` under `key` continues; anything else is a 400 naming `query.cursor`. */
export function openCursor(key: Uint8Array, scope: string, cursor: string): StoreKey {
  const parts = cursor.split('.');
  if (parts.length !== 2) throw invalidCursor();
  const [payload, signature] = parts as [string, string];
  const expected = mac(key, scope, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
  // Signed by us: the payload is one we wrote. Checked anyway, so a bug never reaches the store as a bad key.
  const position = parse(payload);
  if (!isStoreKey(position)) throw invalidCursor();
  return position;
}

/** The payload is base64url (no newline), so scope and payload are read back from the MAC's input unambiguously. */
function mac(key: Uint8Array, scope: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`${scope}\n${payload}`).digest();
}

function parse(payload: string): unknown {
  try {
    return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k?: unknown }).k;
  } catch {
    return undefined;
  }
}

function isStoreKey(value: unknown): value is StoreKey {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.values(value).every((field) => typeof field === 'string' || typeof field === 'number')
  );
}

function invalidCursor(message = 'Not a cursor issued for this list; start again without a cursor'): ValidationError {
  return new ValidationError('The cursor is invalid', [{ path: 'query.cursor', message }]);
}

/** ElectroDB's cursor is the base64url JSON of a DynamoDB key (its ExclusiveStartKey / LastEvaluatedKey). */
function toStoreCursor(position: StoreKey): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function fromStoreCursor(cursor: string | null): StoreKey | undefined {
  if (!cursor) return undefined;
  const position: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!isStoreKey(position)) throw new Error(`The store returned a cursor that is not a key: ${cursor}`);
  return position;
}

/** The key attributes of a position in `index` (a GSI name, or undefined for the table): the table's and the index's. */
function keysOfIndex(index: string | undefined): readonly string[] {
  const table = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey];
  if (index === undefined) return table;
  const gsi = GLOBAL_INDEXES.find((candidate) => candidate.name === index);
  if (!gsi) throw new Error(`Unknown index ${index}`);
  return [...table, gsi.partitionKey, gsi.sortKey];
}

/** The position of an item read with `includeKeys`: its keys of the table and the queried index, as a LastEvaluatedKey. */
function positionOf(item: object, keys: readonly string[]): StoreKey {
  const stored = item as Record<string, unknown>;
  const position: StoreKey = {};
  for (const key of keys) {
    const value = stored[key];
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`An item read with its keys lacks ${key}`);
    position[key] = value;
  }
  return position;
}

function withoutStoredKeys<T extends object>(item: T): T {
  const copy = { ...item } as Record<string, unknown>;
  for (const field of STORED_ONLY) delete copy[field];
  return copy as T;
}

/** A start key that does not fit the query makes the store fail: the client's fault (400), not a fault (500). */
function isBadCursorError(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'ValidationException' || /cursor|ExclusiveStartKey|starting key/i.test(cause.message)) return true;
  }
  return false;
}
