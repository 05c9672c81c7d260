import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/errors';
import { MAX_ITEMS_READ, READ_AHEAD, openCursor, readPage, sealCursor, type StorePage } from '../../domain/shared/pagination';
import { CURSOR_KEY_LABEL, deriveCursorKey } from '../../functions/shared/cursor-key';

const key = randomBytes(32);
const keyed = { cursorKey: async () => key };
const position = { pk: '$salesflow#tenantid_acme#customerid_c1', sk: '$customer_1', gsi1pk: '$salesflow#tenantid_acme#state_active', gsi1sk: 'x' };

function expectInvalidCursor(act: () => unknown): void {
  try {
    act();
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('cursors', () => {
  it('round-trip for the list and stage that issued them', () => {
    const cursor = sealCursor(key, 'acme|customers|active', position);
    expect(openCursor(key, 'acme|customers|active', cursor)).toEqual(position);
  });

  const issued = sealCursor(key, 'acme|customers|active', position);
  const [payload, mac] = issued.split('.') as [string, string];
  it.each([
    ['another tenant', sealCursor(key, 'globex|customers|active', position)],
    ['another list', sealCursor(key, 'acme|customers|archived', position)],
    ['another stage (key)', sealCursor(randomBytes(32), 'acme|customers|active', position)],
    ['a changed store key, signature kept', `${b64({ k: { ...position, gsi1sk: 'y' } })}.${mac}`],
    ['a changed signature', `${payload}.${Buffer.from(randomBytes(32)).toString('base64url')}`],
    ['a truncated signature', `${payload}.${mac.slice(0, 20)}`],
    ['no signature', payload],
    ['three parts', `${issued}.x`],
    ['garbage', 'not-a-cursor'],
    // What cursors used to be: an unkeyed hash of the scope anyone could compute, and any store key.
    ['the old unkeyed format', b64({ s: createHash('sha256').update('acme|customers|active').digest('base64url').slice(0, 22), c: b64(position) })],
  ])('refuses %s with a 400 naming query.cursor', (_, cursor) => {
    expectInvalidCursor(() => openCursor(key, 'acme|customers|active', cursor));
  });

  it('refuses a signed payload that is not a store key (a bug never reaches the store)', () => {
    const scope = 'acme|customers|active';
    const forSure = (body: string) => `${body}.${createHmacFor(scope, body)}`;
    expectInvalidCursor(() => openCursor(key, scope, forSure(b64({ k: [] }))));
    expectInvalidCursor(() => openCursor(key, scope, forSure(b64({ k: { pk: { nested: true } } }))));
    expectInvalidCursor(() => openCursor(key, scope, forSure('%%%')));
  });

  it('the HMAC key is derived from the stage secret under its own label: fixed length, stable, not the secret', () => {
    const derived = deriveCursorKey('stage-secret');
    expect(derived).toHaveLength(32);
    expect(deriveCursorKey('stage-secret')).toEqual(derived);
    expect(Buffer.from(derived).toString('utf8')).not.toContain('stage-secret');
    expect(deriveCursorKey('another-secret')).not.toEqual(derived);
    expect(CURSOR_KEY_LABEL).toMatch(/cursor/);
  });
});

/**
 * An index partition as DynamoDB and ElectroDB serve it: `limit` items read per request, the filter applied after,
 * items with every stored key (`includeKeys`); the query is on gsi1, and the items also carry gsi2's keys.
 */
function store(size: number, matches: (index: number) => boolean) {
  const items = Array.from({ length: size }, (_, index) => ({
    id: index,
    pk: `p${index}`,
    sk: 's',
    gsi1pk: 'list',
    gsi1sk: String(index).padStart(6, '0'),
    gsi2pk: 'other',
    gsi2sk: `other-${index}`,
    __edb_e__: 'thing',
    __edb_v__: '1',
  }));
  const requests: StorePage[] = [];
  const positions: unknown[] = [];
  const query = {
    params: () => ({ IndexName: 'gsi1' }),
    go: async (page: StorePage) => {
      requests.push(page);
      expect(page.data).toBe('includeKeys');
      const after = page.cursor === undefined ? undefined : (JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8')) as { gsi1sk: string });
      positions.push(after);
      const start = after === undefined ? 0 : items.findIndex((item) => item.gsi1sk > after.gsi1sk);
      const read = start < 0 ? [] : items.slice(start, start + page.limit);
      const last = read[read.length - 1];
      // DynamoDB answers a LastEvaluatedKey whenever it stopped at `Limit`, even at the very end.
      const cursor = last && read.length === page.limit ? b64({ pk: last.pk, sk: last.sk, gsi1pk: last.gsi1pk, gsi1sk: last.gsi1sk }) : null;
      return { data: read.filter((item) => matches(item.id)), cursor };
    },
  };
  return { query, requests, positions, read: () => requests.reduce((sum, page) => sum + page.limit, 0) };
}

const failing = (error: Error) => ({ params: () => ({}), go: () => Promise.reject(error) });

describe('readPage', () => {
  it('an unfiltered page is one request of `limit` items, its cursor signed; the items without their stored keys', async () => {
    const partition = store(20, () => true);
    const page = await readPage(keyed, 's', { limit: 7 }, partition.query);
    expect(partition.requests).toEqual([{ cursor: undefined, limit: 7, data: 'includeKeys' }]);
    expect(page.items).toEqual(Array.from({ length: 7 }, (_, id) => ({ id })));
    expect(openCursor(key, 's', page.nextCursor as string)).toEqual({ pk: 'p6', sk: 's', gsi1pk: 'list', gsi1sk: '000006' });
  });

  it('passes the order through', async () => {
    const partition = store(3, () => true);
    await readPage(keyed, 's', {}, partition.query, { order: 'desc' });
    expect(partition.requests[0]).toMatchObject({ order: 'desc' });
  });

  it('reads the key only when a cursor is read or made: a list that fits one page never asks for it', async () => {
    let asked = 0;
    const counting = { cursorKey: async () => ((asked += 1), key) };
    await readPage(counting, 's', { limit: 50 }, store(10, () => true).query);
    expect(asked).toBe(0);
    const first = await readPage(counting, 's', { limit: 4 }, store(10, () => true).query);
    expect(asked).toBe(1);
    await readPage(counting, 's', { limit: 4, cursor: first.nextCursor as string }, store(10, () => true).query);
    expect(asked).toBe(3);
  });

  it('a filter that matches nothing stops after MAX_ITEMS_READ items with a cursor, and the walk ends', async () => {
    const partition = store(MAX_ITEMS_READ * 2 + 50, () => false);
    const first = await readPage(keyed, 's', {}, partition.query, { filtered: true });
    expect(first.items).toEqual([]);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(partition.read()).toBe(MAX_ITEMS_READ);
    expect(partition.requests.every((page) => page.limit === READ_AHEAD)).toBe(true);
    let cursor = first.nextCursor;
    let calls = 1;
    while (cursor) {
      const before = partition.read();
      cursor = (await readPage(keyed, 's', { cursor }, partition.query, { filtered: true })).nextCursor;
      expect(partition.read() - before).toBeLessThanOrEqual(MAX_ITEMS_READ);
      calls += 1;
    }
    expect(calls).toBe(3);
  });

  it('a DynamoDB page with more matches than the page wants: the page is full, the next starts after its last item, at its key of the index', async () => {
    const partition = store(300, (id) => id % 3 === 0);
    const seen: number[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await readPage(keyed, 's', { limit: 4, cursor: cursor ?? undefined }, partition.query, { filtered: true });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      // Only the keys of the table and of the queried index: the item's other index keys stay out of the cursor.
      if (cursor) expect(Object.keys(openCursor(key, 's', cursor)).sort()).toEqual(['gsi1pk', 'gsi1sk', 'pk', 'sk']);
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, index) => index * 3));
  });

  it('turns a store rejection of a start key into a 400', async () => {
    const cursor = sealCursor(key, 's', position);
    const rejection = Object.assign(new Error('The provided starting key is invalid'), { name: 'ValidationException' });
    await expect(readPage(keyed, 's', { cursor }, failing(rejection))).rejects.toBeInstanceOf(ValidationError);
    // Without a cursor the same failure is a fault, not the client's.
    await expect(readPage(keyed, 's', {}, failing(rejection))).rejects.toBe(rejection);
  });
});

/** The MAC the module computes, to sign payloads only a bug could produce. */
function createHmacFor(scope: string, body: string): string {
  return createHmac('sha256', key).update(`${scope}\n${body}`).digest('base64url');
}
