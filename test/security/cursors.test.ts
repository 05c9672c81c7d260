/**
 * Cursors and the cost of one list request (issue 15, finding 6; OWASP API4), over HTTP against the local server:
 * a cursor is signed with the stage's key, so one made or edited by a client is a 400 naming `query.cursor`; a
 * filter that matches little or nothing reads at most MAX_ITEMS_READ items per request and answers a partial
 * page whose `nextCursor` continues where it stopped; the quotes of an opportunity are a list like every other.
 * What a request reads is counted on the DynamoDB client the handlers use (ScannedCount of every Query), never timed.
 */
import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerItem } from '../../domain/customers/customers';
import { MAX_ITEMS_READ } from '../../domain/shared/pagination';
import type { Deps } from '../../domain/shared/ports';
import { createDeps, createDynamoClient, useRuntimeDeps } from '../../functions/shared/runtime';
import { newTenant } from '../support/dynamo';
import { call, startTestApi, type TestApi } from '../support/local-api';

type Page<T = { id: string }> = { items: T[]; nextCursor: string | null };
type Problem = { errors: Array<{ path: string }> };

/** More customers than one request may read, so an unmatched filter cannot finish in one request. */
const CUSTOMERS = MAX_ITEMS_READ + 100;
/** Every RARE_EVERY-th customer carries the tag `rare`: a few per DynamoDB page, so pages of 2 overshoot. */
const RARE_EVERY = 40;

let api: TestApi;
let deps: Deps;
let queries: QueryRecorder;
let tenant: string;
let manager: string;

beforeAll(async () => {
  api = await startTestApi();
  const client = createDynamoClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
  queries = recordQueries(client);
  // The handlers' deps, on a client that counts what each request reads.
  deps = createDeps({ tableName: process.env.TABLE_NAME as string, client });
  useRuntimeDeps(deps);
  tenant = newTenant('cursors');
  manager = await api.token(tenant, 'manager', 'alice');
  await seedCustomers(deps, tenant, CUSTOMERS);
});
afterAll(() => api.close());

describe('a cursor is ours or it is a 400', () => {
  it('a cursor forged the way cursors used to be made (an unkeyed hash of the list and a chosen store key) is refused', async () => {
    // The list's scope as listCustomers builds it, and an ExclusiveStartKey of the attacker's choosing.
    const scope = [tenant, 'customers', 'active', undefined, undefined, undefined, undefined, undefined].join('|');
    const forged = Buffer.from(JSON.stringify({ s: unkeyedFingerprint(scope), c: await chosenStoreCursor(500) })).toString('base64url');
    const answer = await call<Problem>(api, 'GET', `/customers?limit=5&cursor=${forged}`, { token: manager });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
  });

  it('an issued cursor whose store key was changed is refused', async () => {
    const first = await call<Page>(api, 'GET', '/customers?limit=3', { token: manager });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const tampered = withStoreCursor(first.body.nextCursor as string, await chosenStoreCursor(700));
    const answer = await call<Problem>(api, 'GET', `/customers?limit=3&cursor=${tampered}`, { token: manager });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
    // The cursor as issued still works.
    expect((await call(api, 'GET', `/customers?limit=3&cursor=${first.body.nextCursor}`, { token: manager })).status).toBe(200);
  });
});

describe('one request reads at most MAX_ITEMS_READ items', () => {
  it('a filter that matches nothing answers partial pages within the cap until the list is done', async () => {
    const pages = await readAll('/customers?tag=zzz');
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]!.items).toEqual([]);
    expect(pages[0]!.nextCursor).toEqual(expect.any(String));
    for (const page of pages) expect(page.scanned).toBeLessThanOrEqual(MAX_ITEMS_READ);
    expect(pages.flatMap((page) => page.items)).toEqual([]);
    // Each item of the partition was read once over the whole walk.
    expect(pages.reduce((sum, page) => sum + page.scanned, 0)).toBe(CUSTOMERS);
  });

  it.each([
    ['the default page size', ''],
    ['pages of 2 (a DynamoDB page holds more matches than the page wants)', '&limit=2'],
  ])('a sparse filter, in %s, yields every match exactly once, each request within the cap', async (_, limit) => {
    const pages = await readAll(`/customers?tag=rare${limit}`);
    for (const page of pages) expect(page.scanned).toBeLessThanOrEqual(MAX_ITEMS_READ);
    const ids = pages.flatMap((page) => page.items.map((item) => item.id));
    expect(ids).toHaveLength(new Set(ids).size);
    expect(new Set(ids)).toEqual(new Set(rareIds));
  });
});

describe('GET /opportunities/{id}/quotes', () => {
  it('pages with limit and cursor, oldest first; the last quote is primary', async () => {
    const customer = await call<{ id: string }>(api, 'POST', '/customers', { token: manager, body: { name: 'Quoted Ltd' } });
    const deal = await call<{ id: string }>(api, 'POST', '/opportunities', {
      token: manager,
      body: { customerId: customer.body.id, name: 'Quoted deal', expectedCloseDate: '2027-06-30' },
    });
    const created: string[] = [];
    for (const amount of [1000, 2000, 3000]) {
      const quote = await call<{ id: string }>(api, 'POST', `/opportunities/${deal.body.id}/quotes`, {
        token: manager,
        body: { lines: [{ description: 'Consulting', quantity: '1', unitPrice: { amount, currency: 'EUR' } }] },
      });
      expect(quote.status).toBe(201);
      created.push(quote.body.id);
    }
    const path = `/opportunities/${deal.body.id}/quotes`;
    const first = await call<Page<{ id: string; primary: boolean }>>(api, 'GET', `${path}?limit=2`, { token: manager });
    expect(first.status).toBe(200);
    expect(first.body.items.map((quote) => [quote.id, quote.primary])).toEqual([
      [created[0], false],
      [created[1], false],
    ]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call<Page<{ id: string; primary: boolean }>>(api, 'GET', `${path}?limit=2&cursor=${first.body.nextCursor}`, { token: manager });
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: created[2], primary: true })], nextCursor: null });
    // Unpaged, the last item is the primary quote (the README takes `.items.at(-1).id`).
    const all = await call<Page<{ id: string; primary: boolean }>>(api, 'GET', path, { token: manager });
    expect(all.body.items.at(-1)).toMatchObject({ id: created[2], primary: true });
    // Its cursors are signed and scoped like every other list's.
    const customers = await call<Page>(api, 'GET', '/customers?limit=1', { token: manager });
    expect((await call(api, 'GET', `${path}?cursor=${customers.body.nextCursor}`, { token: manager })).status).toBe(400);
    expect((await call(api, 'GET', `${path}?cursor=${withStoreCursor(first.body.nextCursor as string, await chosenStoreCursor(1))}`, { token: manager })).status).toBe(400);
  });
});

// --- helpers ---------------------------------------------------------------------------------------------

let rareIds: string[] = [];
const customerIds: string[] = [];

/** Customers written straight to the table in batches (the use cases are not the subject here). */
async function seedCustomers(target: Deps, tenantId: string, count: number): Promise<void> {
  const now = new Date().toISOString();
  const items: CustomerItem[] = Array.from({ length: count }, (_, index) => {
    const customerId = target.ids.next();
    customerIds.push(customerId);
    return {
      tenantId,
      customerId,
      name: `Customer ${String(index).padStart(5, '0')}`,
      lifecycle: 'lead',
      tags: index % RARE_EVERY === 7 ? ['rare'] : ['common'],
      owner: 'alice',
      state: 'active',
      createdAt: now,
      createdBy: 'seed',
      updatedAt: now,
      updatedBy: 'seed',
      version: 1,
    };
  });
  rareIds = items.filter((item) => item.tags?.includes('rare')).map((item) => item.customerId);
  const { unprocessed } = await target.db.entities.customer.put(items).go({ concurrency: 4 });
  expect(unprocessed).toEqual([]);
}

/**
 * ElectroDB's cursor for the list by name (base64url JSON of a DynamoDB ExclusiveStartKey), positioned at the n-th
 * seeded customer: its stored keys, read back from the table.
 */
async function chosenStoreCursor(index: number): Promise<string> {
  const { data } = await deps.db.entities.customer.get({ tenantId: tenant, customerId: customerIds[index]! }).go({ data: 'includeKeys' });
  const item = data as Record<string, unknown> | null;
  expect(item?.gsi1sk).toEqual(expect.any(String));
  const keys = Object.fromEntries(['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((key) => [key, item?.[key]]));
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

/** The check cursors used to carry: anyone could compute it for any list. */
function unkeyedFingerprint(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 22);
}

/**
 * The cursor with the store key in its payload replaced, everything else (its check) left as issued: the old
 * format carried ElectroDB's cursor as `c`, the signed one carries the key itself as `k`.
 */
function withStoreCursor(cursor: string, storeCursor: string): string {
  const [payload, ...rest] = cursor.split('.');
  const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { c?: string; k?: Record<string, unknown> };
  const changed = 'k' in decoded ? { ...decoded, k: JSON.parse(Buffer.from(storeCursor, 'base64url').toString('utf8')) } : { ...decoded, c: storeCursor };
  expect(changed).not.toEqual(decoded);
  return [Buffer.from(JSON.stringify(changed)).toString('base64url'), ...rest].join('.');
}

/** Follows `nextCursor` to the end; each page with the items its request read. */
async function readAll(path: string): Promise<Array<Page & { scanned: number }>> {
  const pages: Array<Page & { scanned: number }> = [];
  let cursor: string | null = null;
  do {
    queries.take();
    const answer: { status: number; body: Page } = await call<Page>(api, 'GET', cursor ? `${path}&cursor=${cursor}` : path, { token: manager });
    expect(answer.status).toBe(200);
    pages.push({ ...answer.body, scanned: queries.take().reduce((sum, query) => sum + query.scanned, 0) });
    cursor = answer.body.nextCursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return pages;
}

interface QueryRecorder {
  /** The Queries sent since the last call, with what each read (ScannedCount) and returned (Count). */
  take(): Array<{ limit: number | undefined; scanned: number; count: number }>;
}

function recordQueries(client: DynamoDBClient): QueryRecorder {
  const recorded: Array<{ limit: number | undefined; scanned: number; count: number }> = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') {
        const output = result.output as { ScannedCount?: number; Count?: number };
        recorded.push({ limit: (args.input as { Limit?: number }).Limit, scanned: output.ScannedCount ?? 0, count: output.Count ?? 0 });
      }
      return result;
    },
    { step: 'initialize', name: 'queryRecorder' },
  );
  return { take: () => recorded.splice(0) };
}
