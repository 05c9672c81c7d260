/**
 * Realistic tenants for the bench. Each customer comes as a unit written through the real use cases: the customer
 * (with a domain, so duplicate guards exist), a contact, a call, an opportunity with interest points and decision
 * factors and a linked email, moved through the funnel to one of five outcomes (lead, contacted, needs analysis,
 * quote, lost) — guards, audit, outbox and timers included.
 *
 * Large tenants are cloned: a few template units are written through the use cases into scratch tenants, read
 * back raw, and copied with BatchWriteItem — each copy with fresh ids (every ULID mapped to a new one, so keys and
 * sort orders stay as the use cases make them), its own name and domain, in the target tenant. 20k customers take
 * seconds instead of the ~10 minutes their 100k transactions would.
 */
import { BatchWriteItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { monotonicFactory } from 'ulid';
import { createContact, createCustomer, logActivity } from '../domain/customers';
import { createOpportunity, moveStage } from '../domain/pipeline';
import { putRep } from '../domain/reps';
import type { Deps } from '../domain/shared/ports';
import { TABLE_KEYS } from '../domain/table';
import { actor } from '../test/support/actors';

const SEGMENTS = ['smb', 'mid-market', 'enterprise'];
const INDUSTRIES = ['software', 'manufacturing', 'healthcare', 'retail', 'finance'];
export const OWNERS = ['bob', 'carol', 'raj', 'ann', 'ben'];
/** The funnel outcome of unit `index`: how far its opportunity got. */
const OUTCOMES = [[], ['contacted'], ['contacted', 'needs_analysis'], ['contacted', 'needs_analysis', 'quote'], ['lost']] as const;
/** Distinct units before they repeat: every owner meets every segment, industry and outcome. */
const TEMPLATE_COUNT = 15;
/** Stands for a unit's number in its names and domain; copies replace it. Survives lower-casing. */
const MARKER = 'zunitz';

/** Writes template unit `index` through the use cases; `label` stands for the unit number in its names. */
async function seedUnit(deps: Deps, tenant: string, index: number, label: string): Promise<void> {
  const manager = actor(tenant, 'alice', 'manager');
  const owner = OWNERS[index % OWNERS.length]!;
  const customer = await createCustomer(deps, manager, {
    name: `Customer ${label}`,
    domain: `c${label}.example.com`,
    segment: SEGMENTS[index % SEGMENTS.length],
    industry: INDUSTRIES[index % INDUSTRIES.length],
    owner,
  });
  const contact = await createContact(deps, manager, customer.id, { name: `Contact ${label}` });
  await logActivity(deps, manager, customer.id, { type: 'call', subject: 'Intro call', contactId: contact.id });
  const deal = await createOpportunity(deps, manager, {
    customerId: customer.id,
    name: `Deal ${label}`,
    owner,
    amount: { amount: 100_000 + (index % 50) * 10_000, currency: 'EUR' },
    expectedCloseDate: `2027-${String((index % 12) + 1).padStart(2, '0')}-15`,
    interestPoints: ['Faster quoting', 'Pipeline visibility'],
    decisionFactors: { budget: 'Approved for this year', need: 'Replacing spreadsheets' },
  });
  await logActivity(deps, manager, customer.id, { type: 'email', subject: 'Proposal', opportunityId: deal.id });
  for (const stage of OUTCOMES[index % OUTCOMES.length]!) {
    await moveStage(deps, manager, deal.id, stage === 'lost' ? { stage, lostReason: 'price', note: 'Chose a cheaper tool' } : { stage });
  }
}

/** The owners' rep profiles (assignment candidates), through the use case. */
export async function seedReps(deps: Deps, tenant: string): Promise<void> {
  const admin = actor(tenant, 'alice', 'admin');
  for (const [index, userId] of OWNERS.entries()) {
    await putRep(
      deps,
      admin,
      userId,
      {
        displayName: userId,
        manager: 'alice',
        skills: { industries: [INDUSTRIES[index]!] },
        experience: index % 2 === 0 ? 'senior' : 'junior',
        capacity: { maxOpenOpportunities: 5_000, maxOpenLeads: 5_000 },
      },
      {},
    );
  }
}

type Item = Record<string, AttributeValue>;

/** The raw items of each template unit: unit k written through the use cases into its own scratch tenant. */
export async function templateUnits(deps: Deps, client: DynamoDBClient, tableName: string): Promise<string[][]> {
  const tenants = Array.from({ length: TEMPLATE_COUNT }, (_, index) => `benchtemplate${index}`);
  await Promise.all(tenants.map((tenant, index) => seedUnit(deps, tenant, index, MARKER)));
  const items = await scanAll(client, tableName);
  const ofTenant = (tenant: string) => new RegExp(`tenantid_${tenant}(#|$)`);
  return tenants.map((tenant) => items.filter((item) => ofTenant(tenant).test(item[TABLE_KEYS.partitionKey]?.S ?? '')).map((item) => JSON.stringify(item)));
}

/**
 * Writes `customers` copies of the template units into `tenant` (lower-case: keys are lower-cased), unit i a
 * copy of template i mod TEMPLATE_COUNT. Returns the number of items written.
 */
export async function cloneTenant(options: {
  client: DynamoDBClient;
  tableName: string;
  templates: string[][];
  tenant: string;
  customers: number;
  concurrency?: number;
  /** The first unit's number (names and domains): another batch into the same tenant starts after the last. */
  firstUnit?: number;
}): Promise<number> {
  const nextUlid = monotonicFactory();
  const ulidPattern = /[0-9A-HJKMNP-TV-Z]{26}/gi;
  let written = 0;
  let batch: Item[] = [];
  const inFlight = new Set<Promise<void>>();
  const flush = async () => {
    const requests = batch;
    batch = [];
    const write = writeBatch(options.client, options.tableName, requests).finally(() => inFlight.delete(write));
    inFlight.add(write);
    written += requests.length;
    if (inFlight.size >= (options.concurrency ?? 16)) await Promise.race(inFlight);
  };
  for (let index = 0; index < options.customers; index += 1) {
    const template = options.templates[index % options.templates.length]!;
    const templateTenant = `benchtemplate${index % options.templates.length}`;
    const ids = new Map<string, string>();
    for (const json of template) {
      const copy = json
        .replaceAll(templateTenant, options.tenant)
        .replaceAll(MARKER, String(index + (options.firstUnit ?? 0)).padStart(6, '0'))
        .replace(ulidPattern, (ulid) => {
          const upper = ulid.toUpperCase();
          if (!ids.has(upper)) ids.set(upper, nextUlid());
          const fresh = ids.get(upper)!;
          return ulid === upper ? fresh : fresh.toLowerCase();
        });
      batch.push(JSON.parse(copy) as Item);
      if (batch.length === 25) await flush();
    }
  }
  if (batch.length > 0) await flush();
  await Promise.all(inFlight);
  return written;
}

async function writeBatch(client: DynamoDBClient, tableName: string, items: Item[]): Promise<void> {
  let requests = items.map((item) => ({ PutRequest: { Item: item } }));
  for (let attempt = 0; requests.length > 0; attempt += 1) {
    if (attempt > 8) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
    requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}

async function scanAll(client: DynamoDBClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
