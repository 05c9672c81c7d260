/**
 * The one write path (domain/shared/versioned-write.ts), outcome by outcome, for a write use case of every
 * context that has one, on DynamoDB Local: a concurrent writer that commits first (re-applied without If-Match,
 * 412 with it), a record that stays stale (409 after the last attempt), a TransactionConflict (retried), any
 * other cancellation (503 naming each item's reason), and unique values (409 naming the holder; re-applied when
 * the holder let go meanwhile). Faults are injected at the SDK (test/support/store-faults.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { forecastCallsOf, submitForecast } from '../../domain/analytics';
import { getApprovalPolicy, putApprovalPolicy } from '../../domain/approvals';
import { getAssignmentRules, putAssignmentRules } from '../../domain/assignment';
import { listAudit } from '../../domain/audit';
import { createProduct, getProduct, updateProduct } from '../../domain/catalog';
import { createContract, createTemplate, getContract, updateContract } from '../../domain/contracts';
import { putTeam, readTeam, teamOfUser } from '../../domain/directory';
import { archiveCustomer, createContact, createCustomer, getCustomer, listContacts, updateCustomer } from '../../domain/customers';
import { ConcurrentChangeError, ConflictError, PreconditionFailedError, ServiceUnavailableError } from '../../domain/errors';
import { createOpportunity, getOpportunity, updateOpportunity } from '../../domain/pipeline';
import { createQuote, decideQuote, getQuote, updateQuote } from '../../domain/quotes';
import { getRep, putRep } from '../../domain/reps';
import { getSettings, putSettings } from '../../domain/settings';
import type { Deps } from '../../domain/shared/ports';
import { MAX_WRITE_ATTEMPTS, TransactionCanceledError, WriteSet } from '../../domain/shared/versioned-write';
import { createTask, getTask, updateTask } from '../../domain/tasks';
import { createTestTable, people, rejection } from '../support/dynamo';
import { faultyStore, type FaultyStore } from '../support/store-faults';

let store: FaultyStore;
beforeAll(async () => {
  store = await faultyStore((await createTestTable()).tableName);
});

type Who = ReturnType<typeof people>;
interface Subject {
  version(deps: Deps): Promise<number>;
  /** The change under test. */
  ours(deps: Deps, options: { ifMatch?: number }): Promise<unknown>;
  /** Another writer's change of the same record. */
  theirs(deps: Deps): Promise<unknown>;
  /** After theirs then ours (re-applied): nothing of either is lost. */
  expectBoth(deps: Deps): Promise<void>;
}
interface Case {
  context: string;
  /** The ElectroDB entity of the record If-Match names. */
  entity: string;
  setup(deps: Deps, who: Who): Promise<Subject>;
}

const eur = (amount: number) => ({ amount, currency: 'EUR' });

async function acceptedQuote(deps: Deps, who: Who) {
  const customer = await createCustomer(deps, who.bob, { name: 'Contract Corp' });
  const deal = await createOpportunity(deps, who.bob, { customerId: customer.id, name: 'Contract deal', expectedCloseDate: '2030-12-31' });
  const quote = await createQuote(deps, who.bob, deal.id, { lines: [{ description: 'Seats', quantity: '2', unitPrice: eur(100_00) }] });
  await decideQuote(deps, who.bob, quote.id, 'send', {});
  await decideQuote(deps, who.bob, quote.id, 'accept', {});
  return quote;
}

const settingsBody = (companyName: string) => ({ companyName, baseCurrency: 'EUR', lostReasons: ['price'] });
const policyLevels = (name: string) => [{ name, approvers: { role: 'manager' as const }, escalateTo: { role: 'admin' as const } }];
const repBody = (displayName: string) => ({ displayName, experience: 'mid' as const, capacity: { maxOpenOpportunities: 10, maxOpenLeads: 10 } });
const rules = (name: string) => [{ name, strategy: 'round_robin' as const }];

const CASES: Case[] = [
  {
    context: 'settings',
    entity: 'tenantSettings',
    setup: async (deps, who) => {
      await putSettings(deps, who.dana, settingsBody('First'), {});
      return {
        version: async (d) => (await getSettings(d, who.dana)).version,
        ours: (d, options) => putSettings(d, who.dana, settingsBody('Ours'), options),
        theirs: (d) => putSettings(d, who.dana, settingsBody('Theirs'), {}),
        expectBoth: async (d) => {
          expect(await getSettings(d, who.dana)).toMatchObject({ companyName: 'Ours', version: 3 });
          // Settings changes are audited like every other change.
          const trail = await listAudit(d, who.dana, { entityId: who.tenant });
          expect(trail.items.map((entry) => [entry.entityType, entry.changes.companyName?.to])).toEqual([
            ['settings', 'First'],
            ['settings', 'Theirs'],
            ['settings', 'Ours'],
          ]);
        },
      };
    },
  },
  {
    context: 'customers',
    entity: 'customer',
    setup: async (deps, who) => {
      const { id } = await createCustomer(deps, who.bob, { name: 'Race Corp' });
      return {
        version: async (d) => (await getCustomer(d, who.bob, id)).version,
        ours: (d, options) => updateCustomer(d, who.bob, id, { phone: '+1 555 0100' }, options),
        theirs: (d) => updateCustomer(d, who.alice, id, { industry: 'Retail' }),
        expectBoth: async (d) => expect(await getCustomer(d, who.bob, id)).toMatchObject({ phone: '+1 555 0100', industry: 'Retail', version: 3 }),
      };
    },
  },
  {
    context: 'pipeline',
    entity: 'opportunity',
    setup: async (deps, who) => {
      const customer = await createCustomer(deps, who.bob, { name: 'Deal Corp' });
      const { id } = await createOpportunity(deps, who.bob, { customerId: customer.id, name: 'Race deal', expectedCloseDate: '2030-12-31' });
      return {
        version: async (d) => (await getOpportunity(d, who.bob, id)).version,
        ours: (d, options) => updateOpportunity(d, who.bob, id, { nextStep: 'Call back' }, options),
        theirs: (d) => updateOpportunity(d, who.alice, id, { competitors: ['Globex'] }),
        expectBoth: async (d) =>
          expect(await getOpportunity(d, who.bob, id)).toMatchObject({ nextStep: 'Call back', competitors: ['Globex'], version: 3 }),
      };
    },
  },
  {
    context: 'catalog',
    entity: 'product',
    setup: async (deps, who) => {
      const { id } = await createProduct(deps, who.alice, { sku: `RACE-${who.tenant}`, name: 'Race', unitPrices: [eur(100)] });
      return {
        version: async (d) => (await getProduct(d, who.alice, id)).version,
        ours: (d, options) => updateProduct(d, who.alice, id, { name: 'Ours' }, options),
        theirs: (d) => updateProduct(d, who.dana, id, { description: 'Theirs' }),
        expectBoth: async (d) => expect(await getProduct(d, who.alice, id)).toMatchObject({ name: 'Ours', description: 'Theirs', version: 3 }),
      };
    },
  },
  {
    context: 'quotes',
    entity: 'quote',
    setup: async (deps, who) => {
      const customer = await createCustomer(deps, who.bob, { name: 'Quote Corp' });
      const deal = await createOpportunity(deps, who.bob, { customerId: customer.id, name: 'Quote deal', expectedCloseDate: '2030-12-31' });
      const { id } = await createQuote(deps, who.bob, deal.id, { lines: [{ description: 'Seats', quantity: '1', unitPrice: eur(100_00) }] });
      return {
        version: async (d) => (await getQuote(d, who.bob, id)).version,
        ours: (d, options) => updateQuote(d, who.bob, id, { notes: 'Ours' }, options),
        theirs: (d) => updateQuote(d, who.alice, id, { terms: 'Theirs' }),
        expectBoth: async (d) => expect(await getQuote(d, who.bob, id)).toMatchObject({ notes: 'Ours', terms: 'Theirs', version: 3 }),
      };
    },
  },
  {
    context: 'contracts',
    entity: 'contract',
    setup: async (deps, who) => {
      const quote = await acceptedQuote(deps, who);
      const template = await createTemplate(deps, who.dana, { name: 'MSA', body: '<h1>{{ contract.title }}</h1>' });
      const { id } = await createContract(deps, who.bob, quote.id, { templateId: template.id, startDate: '2030-01-01' });
      return {
        version: async (d) => (await getContract(d, who.bob, id)).version,
        ours: (d, options) => updateContract(d, who.bob, id, { title: 'Ours' }, options),
        theirs: (d) => updateContract(d, who.alice, id, { specialTerms: 'Theirs' }),
        expectBoth: async (d) =>
          expect(await getContract(d, who.bob, id)).toMatchObject({ title: 'Ours', specialTerms: 'Theirs', body: '<h1>Ours</h1>', version: 3 }),
      };
    },
  },
  {
    context: 'approvals',
    entity: 'approvalPolicy',
    setup: async (deps, who) => {
      await putApprovalPolicy(deps, who.dana, { levels: policyLevels('First') }, {});
      return {
        version: async (d) => (await getApprovalPolicy(d, who.dana)).version,
        ours: (d, options) => putApprovalPolicy(d, who.dana, { levels: policyLevels('Ours') }, options),
        theirs: (d) => putApprovalPolicy(d, who.dana, { levels: policyLevels('Theirs') }, {}),
        expectBoth: async (d) => expect(await getApprovalPolicy(d, who.dana)).toMatchObject({ levels: [{ name: 'Ours' }], version: 3 }),
      };
    },
  },
  {
    context: 'tasks',
    entity: 'task',
    setup: async (deps, who) => {
      const { id } = await createTask(deps, who.bob, { title: 'Race task', dueAt: '2030-06-01T09:00:00Z' });
      return {
        version: async (d) => (await getTask(d, who.bob, id)).version,
        ours: (d, options) => updateTask(d, who.bob, id, { title: 'Ours' }, options),
        theirs: (d) => updateTask(d, who.alice, id, { notes: 'Theirs' }),
        expectBoth: async (d) => expect(await getTask(d, who.bob, id)).toMatchObject({ title: 'Ours', notes: 'Theirs', version: 3 }),
      };
    },
  },
  {
    context: 'reps',
    entity: 'repProfile',
    setup: async (deps, who) => {
      await putRep(deps, who.alice, 'carol', repBody('First'), {});
      return {
        version: async (d) => (await getRep(d, who.alice, 'carol')).version,
        ours: (d, options) => putRep(d, who.alice, 'carol', repBody('Ours'), options),
        theirs: (d) => putRep(d, who.dana, 'carol', repBody('Theirs'), {}),
        expectBoth: async (d) => expect(await getRep(d, who.alice, 'carol')).toMatchObject({ displayName: 'Ours', version: 3 }),
      };
    },
  },
  {
    context: 'assignment',
    entity: 'assignmentRules',
    setup: async (deps, who) => {
      await putAssignmentRules(deps, who.dana, { rules: rules('First'), fallbackOwner: 'alice' }, {});
      return {
        version: async (d) => (await getAssignmentRules(d, who.dana)).version,
        ours: (d, options) => putAssignmentRules(d, who.dana, { rules: rules('Ours'), fallbackOwner: 'alice' }, options),
        theirs: (d) => putAssignmentRules(d, who.dana, { rules: rules('Theirs'), fallbackOwner: 'alice' }, {}),
        expectBoth: async (d) => expect(await getAssignmentRules(d, who.dana)).toMatchObject({ rules: [{ name: 'Ours' }], version: 3 }),
      };
    },
  },
  {
    context: 'directory',
    entity: 'team',
    setup: async (deps, who) => {
      await putTeam(deps, who.dana, 'east', { name: 'First', manager: 'alice', members: ['bob'] });
      return {
        version: async (d) => (await readTeam(d, who.tenant, 'east'))?.version ?? 0,
        ours: (d, options) => putTeam(d, who.alice, 'east', { name: 'Ours', manager: 'alice', members: ['bob', 'carol'] }, options),
        theirs: (d) => putTeam(d, who.dana, 'east', { name: 'Theirs', manager: 'alice', members: [] }),
        expectBoth: async (d) => {
          expect(await readTeam(d, who.tenant, 'east')).toMatchObject({ name: 'Ours', members: ['bob', 'carol'], version: 3 });
          // Theirs let bob go; ours, re-applied on it, took him back: the guards follow the team.
          expect([await teamOfUser(d, who.tenant, 'bob'), await teamOfUser(d, who.tenant, 'carol')]).toEqual(['east', 'east']);
        },
      };
    },
  },
  {
    context: 'analytics',
    entity: 'forecastCall',
    setup: async (deps, who) => {
      await submitForecast(deps, who.bob, 'FY2027-Q1', { commit: eur(100), bestCase: eur(200) });
      const submission = async (d: Deps) => (await forecastCallsOf(d, who.tenant, 'FY2027-Q1'))[0]?.submission;
      return {
        version: async (d) => (await submission(d))?.version ?? 0,
        ours: (d, options) => submitForecast(d, who.bob, 'FY2027-Q1', { commit: eur(300), bestCase: eur(400) }, options),
        theirs: (d) => submitForecast(d, who.bob, 'FY2027-Q1', { commit: eur(150), bestCase: eur(200), note: 'Theirs' }),
        expectBoth: async (d) => expect(await submission(d)).toMatchObject({ commit: eur(300), bestCase: eur(400), version: 3 }),
      };
    },
  },
];

describe.each(CASES)('$context: the write path', ({ entity, setup }) => {
  const start = async () => {
    const who = people();
    const subject = await setup(store.plain, who);
    return { who, subject, version: await subject.version(store.plain), sentBefore: store.transactions() };
  };

  it('re-applies the change on a fresh read when another writer committed first (no If-Match): nothing is lost', async () => {
    const { subject, sentBefore } = await start();
    store.beforeNextTransaction(() => subject.theirs(store.plain));
    await subject.ours(store.deps, {});
    expect(store.transactions() - sentBefore).toBe(2);
    await subject.expectBoth(store.plain);
  });

  it('answers 412 naming the current version when the record changed after the If-Match version was read', async () => {
    const { subject, version } = await start();
    store.beforeNextTransaction(() => subject.theirs(store.plain));
    const refused = await rejection(subject.ours(store.deps, { ifMatch: version }));
    expect(refused).toBeInstanceOf(PreconditionFailedError);
    expect((refused as PreconditionFailedError).currentVersion).toBe(version + 1);
    expect(await subject.version(store.plain)).toBe(version + 1);
  });

  it(`gives up with a 409 "try again" after ${MAX_WRITE_ATTEMPTS} stale attempts, having written nothing`, async () => {
    const { subject, version, sentBefore } = await start();
    store.cancelNextTransactions(MAX_WRITE_ATTEMPTS, entity, 'ConditionalCheckFailed');
    const refused = await rejection(subject.ours(store.deps, {}));
    expect(refused).toBeInstanceOf(ConcurrentChangeError);
    expect(refused).toBeInstanceOf(ConflictError);
    expect(store.transactions() - sentBefore).toBe(MAX_WRITE_ATTEMPTS);
    expect(await subject.version(store.plain)).toBe(version);
  });

  it('retries a TransactionConflict like a concurrent change', async () => {
    const { subject, version, sentBefore } = await start();
    store.cancelNextTransactions(1, entity, 'TransactionConflict');
    await subject.ours(store.deps, { ifMatch: version });
    expect(store.transactions() - sentBefore).toBe(2);
    expect(await subject.version(store.plain)).toBe(version + 1);
  });

  it('answers 503 for any other cancellation, with every item named and its reason, having written nothing', async () => {
    const { subject, version } = await start();
    store.cancelNextTransactions(1, entity, 'ThrottlingError');
    const refused = await rejection(subject.ours(store.deps, {}));
    expect(refused).toBeInstanceOf(ServiceUnavailableError);
    const cause = refused.cause as TransactionCanceledError;
    expect(cause).toBeInstanceOf(TransactionCanceledError);
    expect(cause.reasons).toContainEqual({ item: entity, role: 'record', code: 'ThrottlingError' });
    expect(cause.reasons).toContainEqual({ item: 'auditEntry', role: 'put', code: 'None' });
    expect(await subject.version(store.plain)).toBe(version);
  });
});

describe('unique values', () => {
  it('a customer domain taken by another customer is a 409 naming it', async () => {
    const who = people();
    const holder = await createCustomer(store.plain, who.bob, { name: 'Holder', domain: 'holder.example' });
    const other = await createCustomer(store.plain, who.bob, { name: 'Other' });
    const refused = await rejection(updateCustomer(store.deps, who.bob, other.id, { domain: 'www.HOLDER.example' }));
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).details).toMatchObject({ field: 'domain', existing: { type: 'customer', id: holder.id } });
  });

  it('a SKU taken meanwhile by a concurrent create is a 409 naming the product that holds it', async () => {
    const who = people();
    const product = await createProduct(store.plain, who.alice, { sku: `A-${who.tenant}`, name: 'A', unitPrices: [eur(1)] });
    let rival = '';
    store.beforeNextTransaction(async () => {
      rival = (await createProduct(store.plain, who.alice, { sku: `B-${who.tenant}`, name: 'B', unitPrices: [eur(1)] })).id;
    });
    const refused = await rejection(updateProduct(store.deps, who.alice, product.id, { sku: `b-${who.tenant}` }));
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).details).toMatchObject({ field: 'sku', existing: { type: 'product', id: rival } });
  });

  it('a member another team claimed meanwhile is a 409 naming the member and that team, and nothing of ours is written', async () => {
    const who = people();
    await putTeam(store.plain, who.dana, 'east', { name: 'East', manager: 'alice', members: [] });
    store.beforeNextTransaction(() => putTeam(store.plain, who.dana, 'west', { name: 'West', manager: 'alice', members: ['carol'] }));
    const refused = await rejection(putTeam(store.deps, who.dana, 'east', { name: 'East', manager: 'alice', members: ['bob', 'carol'] }));
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).details).toMatchObject({ field: 'members', member: 'carol', team: 'west' });
    expect(await readTeam(store.plain, who.tenant, 'east')).toMatchObject({ members: [], version: 1 });
    expect(await teamOfUser(store.plain, who.tenant, 'bob')).toBeNull();
  });

  it('a membership guard that failed but that nobody holds any more is re-applied, not refused', async () => {
    const who = people();
    const sentBefore = store.transactions();
    store.cancelNextTransactions(1, 'teamMembership', 'ConditionalCheckFailed');
    await putTeam(store.deps, who.dana, 'east', { name: 'East', manager: 'alice', members: ['bob'] });
    expect(store.transactions() - sentBefore).toBe(2);
    expect(await teamOfUser(store.plain, who.tenant, 'bob')).toBe('east');
  });

  it('a guard that failed but whose value nobody holds any more is re-applied, not refused', async () => {
    const who = people();
    const customer = await createCustomer(store.plain, who.bob, { name: 'Freed' });
    const sentBefore = store.transactions();
    store.cancelNextTransactions(1, 'uniqueValue', 'ConditionalCheckFailed');
    await updateCustomer(store.deps, who.bob, customer.id, { domain: 'freed.example' });
    expect(store.transactions() - sentBefore).toBe(2);
    expect(await getCustomer(store.plain, who.bob, customer.id)).toMatchObject({ domain: 'freed.example', version: 2 });
  });
});

describe('a record claiming a value while it is changed itself', () => {
  it('is re-applied, never told it duplicates itself', async () => {
    const who = people();
    const customer = await createCustomer(store.plain, who.bob, { name: 'Self' });
    store.beforeNextTransaction(() => updateCustomer(store.plain, who.alice, customer.id, { domain: 'self.example', industry: 'Retail' }));
    await updateCustomer(store.deps, who.bob, customer.id, { domain: 'self.example', phone: '+1 555 0199' });
    expect(await getCustomer(store.plain, who.bob, customer.id)).toMatchObject({ domain: 'self.example', industry: 'Retail', phone: '+1 555 0199', version: 3 });
  });
});

describe('a check on another item', () => {
  it('refuses with what the use case said: a contact for a customer archived meanwhile is a 409', async () => {
    const who = people();
    const customer = await createCustomer(store.plain, who.bob, { name: 'Archived meanwhile' });
    store.beforeNextTransaction(() => archiveCustomer(store.plain, who.bob, customer.id));
    const refused = await rejection(createContact(store.deps, who.bob, customer.id, { name: 'Nobody' }));
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused.message).toMatch(/archived meanwhile/);
    expect((await listContacts(store.plain, who.bob, customer.id, {})).items).toEqual([]);
  });
});

describe('a change without its audit entry', () => {
  it('fails loudly before anything is sent', () => {
    const tx = new WriteSet({} as ConstructorParameters<typeof WriteSet>[0]);
    tx.record('customer', {} as Parameters<WriteSet['record']>[1]);
    expect(() => tx.assertTraced()).toThrow(/customer without an audit entry/);
    tx.unlogged('bookkeeping');
    expect(() => tx.assertTraced()).not.toThrow();
  });
});
