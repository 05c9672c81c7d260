/**
 * Use cases: contract templates (admins) and contracts made from accepted quotes. A contract keeps the text
 * rendered from one template version and a snapshot of the quote's money terms; only a draft changes, and a
 * change re-renders it. Submission starts the approval workflow (domain/approvals); a rejected contract is revised
 * into the next revision's draft.
 */
import type { EntityItem } from 'electrodb';
import { readCustomer } from '../customers/customers';
import type { SalesDb } from '../db';
import { executionName, type ApprovalEngine } from '../approvals/engine';
import { ConflictError, NotFoundError, ServiceUnavailableError, UnprocessableError } from '../errors';
import type { NotificationItem } from '../notifications/service';
import { readOpportunity } from '../pipeline/opportunities';
import { getQuote } from '../quotes/service';
import type { QuoteView } from '../quotes/schemas';
import { getSettings } from '../settings/service';
import { assertMayChangeOwned, type Actor } from '../shared/actor';
import { changeLogCommits, logChange } from '../shared/change-log';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { ConcurrentChange, assertVersion, compact, retryOnConcurrentChange, type WriteOptions } from '../shared/writes';
import { contractEngine, templateIssues } from './placeholders';
import { isDueToActivate, planSigning } from './rules';
import type {
  ContractTemplateView,
  ContractView,
  CreateContractInput,
  CreateTemplateInput,
  ListContractsInput,
  UpdateContractInput,
} from './schemas';

type TemplateItem = EntityItem<SalesDb['entities']['contractTemplate']>;
export type ContractItem = EntityItem<SalesDb['entities']['contract']>;

// ---- templates -------------------------------------------------------------------------------------

export async function createTemplate(deps: Deps, actor: Actor, input: CreateTemplateInput): Promise<ContractTemplateView> {
  const issues = templateIssues(input.body);
  if (issues.length > 0) throw new UnprocessableError('The template cannot be used as it is', issues);
  const previous = input.replaces ? await readTemplate(deps, actor, input.replaces) : undefined;
  let templateVersion = 1;
  if (previous) {
    const { data } = await deps.db.entities.contractTemplate.query
      .byKey({ tenantId: actor.tenantId })
      .begins({ templateKey: previous.templateKey })
      .go({ order: 'desc', limit: 1 });
    templateVersion = (data[0]?.templateVersion ?? previous.templateVersion) + 1;
  }
  const now = deps.clock.now().toISOString();
  const templateId = deps.ids.next();
  const template: TemplateItem = {
    tenantId: actor.tenantId,
    templateId,
    templateKey: previous?.templateKey ?? templateId,
    templateVersion,
    name: input.name,
    body: input.body,
    createdAt: now,
    createdBy: actor.userId,
  };
  const log = logChange(deps, actor, now, {
    entityType: 'contractTemplate',
    entityId: templateId,
    action: 'create',
    changes: { name: { to: input.name }, version: { to: templateVersion } },
    events: [{ type: 'contract_template.created', data: { templateId, templateKey: template.templateKey, version: templateVersion } }],
  });
  const outcome = await deps.db.transaction
    .write((entities) => [entities.contractTemplate.create(template).commit(), ...changeLogCommits(entities, log)])
    .go();
  // Two admins saving the next version of one template at once: the second is told to look again.
  if (outcome.canceled) throw new ConflictError('Another version of this template was just saved; reload and retry');
  return toTemplateView(template);
}

export async function listTemplates(deps: Deps, actor: Actor, input: PageRequest): Promise<Page<ContractTemplateView>> {
  const page = await readPage(`${actor.tenantId}|templates`, input, ({ cursor, limit }) =>
    deps.db.entities.contractTemplate.query.byKey({ tenantId: actor.tenantId }).go({ cursor, count: limit, limit }),
  );
  return { ...page, items: page.items.map(toTemplateView) };
}

async function readTemplate(deps: Deps, actor: Actor, templateId: string): Promise<TemplateItem> {
  const { data } = await deps.db.entities.contractTemplate.get({ tenantId: actor.tenantId, templateId }).go();
  if (!data) throw new NotFoundError(`Contract template ${templateId} not found`);
  return data;
}

function toTemplateView(item: TemplateItem): ContractTemplateView {
  return {
    id: item.templateId,
    templateKey: item.templateKey,
    version: item.templateVersion,
    name: item.name,
    body: item.body,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
  };
}

// ---- contracts -------------------------------------------------------------------------------------

export async function createContract(deps: Deps, actor: Actor, quoteId: string, input: CreateContractInput): Promise<ContractView> {
  const quote = await getQuote(deps, actor, quoteId);
  if (quote.status !== 'accepted') {
    throw new ConflictError(`A contract is made from an accepted quote; this quote is ${quote.status}`, { quoteStatus: quote.status });
  }
  assertMayChangeOwned(actor, quote.owner, 'quote');
  const template = await readTemplate(deps, actor, input.templateId).catch((error: unknown) => {
    if (error instanceof NotFoundError) {
      throw new UnprocessableError('No such contract template', [{ path: 'body.templateId', message: 'Not a template of this tenant' }]);
    }
    throw error;
  });
  const opportunity = await readOpportunity(deps, actor, quote.opportunityId);
  const now = deps.clock.now().toISOString();
  const contract: ContractItem = {
    tenantId: actor.tenantId,
    contractId: deps.ids.next(),
    opportunityId: quote.opportunityId,
    customerId: quote.customerId,
    quoteId,
    templateId: template.templateId,
    owner: quote.owner,
    title: input.title ?? opportunity.name,
    body: '',
    moneyTerms: { currency: quote.currency, lines: quote.lines, discountPercent: quote.discountPercent, totals: quote.totals },
    startDate: input.startDate,
    endDate: input.endDate,
    renewal: input.renewal ?? 'none',
    specialTerms: input.specialTerms,
    status: 'draft',
    revision: 1,
    createdAt: now,
    createdBy: actor.userId,
    updatedAt: now,
    updatedBy: actor.userId,
    version: 1,
  };
  contract.body = await render(deps, actor, template, contract, quote, opportunity.name);
  const view = toContractView(contract);
  const log = logChange(deps, actor, now, {
    entityType: 'contract',
    entityId: contract.contractId,
    parentId: contract.opportunityId,
    action: 'create',
    changes: { quoteId: { to: quoteId }, templateId: { to: template.templateId }, status: { to: 'draft' } },
    events: [{ type: 'contract.created', data: { contractId: contract.contractId, quoteId, total: quote.totals.total } }],
  });
  await deps.db.transaction.write((entities) => [entities.contract.create(contract).commit(), ...changeLogCommits(entities, log)]).go();
  return view;
}

export async function getContract(deps: Deps, actor: Actor, contractId: string): Promise<ContractView> {
  const contract = await readContract(deps, actor, contractId);
  if (!isDueToActivate(contract, deps.clock.now())) return toContractView(contract);
  try {
    return toContractView(await changeStatus(deps, { ...actor, userId: 'system' }, contract, 'active', 'activate', {}));
  } catch (error) {
    if (error instanceof ConcurrentChange) return toContractView(await readContract(deps, actor, contractId));
    throw error;
  }
}

/** Records the customer's signature on an approved contract; it is active at once if its start date has come. */
export async function signContract(
  deps: Deps,
  actor: Actor,
  contractId: string,
  input: { signedBy: string; signedAt: string },
  options: WriteOptions = {},
): Promise<ContractView> {
  return retryOnConcurrentChange(async () => {
    const current = await readContract(deps, actor, contractId);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'contract');
    const status = planSigning(current, input.signedAt, deps.clock.now());
    const signedAt = new Date(input.signedAt).toISOString();
    return toContractView(await changeStatus(deps, actor, current, status, 'sign', { signedBy: input.signedBy, signedAt }));
  }, options);
}

/**
 * Writes a contract's new status (and the fields that go with it) if nobody changed it since it was read, with
 * its audit entry, events and notifications in the same transaction.
 */
export async function changeStatus(
  deps: Deps,
  actor: Actor,
  current: ContractItem,
  status: ContractItem['status'],
  action: string,
  fields: Partial<ContractItem>,
  extra: { events?: Array<{ type: string; data?: Record<string, unknown> }>; notifications?: NotificationItem[] } = {},
): Promise<ContractItem> {
  const now = deps.clock.now().toISOString();
  const saved: ContractItem = { ...current, ...fields, status, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
  const log = logChange(deps, actor, now, {
    entityType: 'contract',
    entityId: current.contractId,
    parentId: current.opportunityId,
    action,
    changes: diffFields(withoutChain(current), withoutChain(saved)),
    events: [
      ...(extra.events ?? []),
      ...(action === 'sign' ? [{ type: 'contract.signed', data: { contractId: current.contractId, opportunityId: current.opportunityId } }] : []),
      ...(status === 'active' ? [{ type: 'contract.activated', data: { contractId: current.contractId } }] : []),
    ],
  });
  const outcome = await deps.db.transaction
    .write((entities) => [
      entities.contract
        .put(saved)
        .where((attr, op) => op.eq(attr.version, current.version))
        .commit(),
      ...changeLogCommits(entities, log),
      ...(extra.notifications ?? []).map((item) => entities.notification.create(item).commit()),
    ])
    .go();
  if (outcome.canceled) throw new ConcurrentChange();
  return saved;
}

/** The planned chain is shown by GET /contracts/{id}/approvals; the audit records that it was planned, not its copy. */
function withoutChain(item: ContractItem): Partial<ContractItem> {
  const { approvalChain: _chain, ...rest } = item;
  return rest;
}

// ---- submission ------------------------------------------------------------------------------------

/**
 * Submits a draft for approval: `pending_approval`, then one workflow execution named from the contract and its
 * revision. Submitting a contract that is already pending re-sends the same start, which the engine ignores when
 * the execution runs — so a double submit starts nothing new, and a submit whose start was lost is repaired.
 */
export async function submitContract(
  deps: Deps,
  engine: ApprovalEngine,
  actor: Actor,
  contractId: string,
  options: WriteOptions = {},
): Promise<ContractView> {
  const current = await readContract(deps, actor, contractId);
  assertMayChangeOwned(actor, current.owner, 'contract');
  const revision = current.revision ?? 1;
  const run = { tenantId: actor.tenantId, contractId, revision };
  if (current.status === 'pending_approval') {
    await startEngine(engine, run);
    return toContractView(current);
  }
  assertVersion(current.version, options.ifMatch);
  if (current.status !== 'draft') {
    throw new ConflictError(`The contract is ${current.status}; only a draft is submitted for approval`, { contractStatus: current.status });
  }
  const submitted = await changeStatus(
    deps,
    actor,
    current,
    'pending_approval',
    'submit',
    { revision, submittedBy: actor.userId, submittedAt: deps.clock.now().toISOString(), approvalChain: undefined, rejection: undefined },
    { events: [{ type: 'contract.submitted', data: { contractId, revision, total: (current.moneyTerms as ContractView['moneyTerms']).totals.total } }] },
  ).catch((error: unknown) => {
    if (error instanceof ConcurrentChange) throw new ConflictError('The contract was changed at the same time; read it again and retry');
    throw error;
  });
  try {
    await startEngine(engine, run);
  } catch (error) {
    // Nothing will decide this revision: put the draft back so it can be submitted again.
    await changeStatus(deps, actor, submitted, 'draft', 'submit_failed', { submittedBy: undefined, submittedAt: undefined }).catch(() => undefined);
    throw error;
  }
  return toContractView(submitted);
}

async function startEngine(engine: ApprovalEngine, run: { tenantId: string; contractId: string; revision: number }): Promise<void> {
  try {
    await engine.start(executionName(run.contractId, run.revision), run);
  } catch (error) {
    throw new ServiceUnavailableError(`The approval workflow could not be started; try again (${(error as Error).name})`, { cause: error });
  }
}

/** Turns a rejected contract into the next revision's draft, to be changed and submitted again. */
export async function reviseContract(deps: Deps, actor: Actor, contractId: string, options: WriteOptions = {}): Promise<ContractView> {
  return retryOnConcurrentChange(async () => {
    const current = await readContract(deps, actor, contractId);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'contract');
    if (current.status !== 'rejected') {
      throw new ConflictError(`The contract is ${current.status}; only a rejected contract is revised`, { contractStatus: current.status });
    }
    const revision = (current.revision ?? 1) + 1;
    const saved = await changeStatus(
      deps,
      actor,
      current,
      'draft',
      'revise',
      { revision, submittedBy: undefined, submittedAt: undefined, approvalChain: undefined, rejection: undefined, approvedAt: undefined },
      { events: [{ type: 'contract.revised', data: { contractId, revision } }] },
    );
    return toContractView(saved);
  }, options);
}

export async function listContracts(deps: Deps, actor: Actor, input: ListContractsInput): Promise<Page<ContractView>> {
  const { tenantId } = actor;
  const { contract } = deps.db.entities;
  const scope = [tenantId, 'contracts', input.status, input.customer, input.opportunity].join('|');
  const page = await readPage(scope, input, ({ cursor, limit }) => {
    const query = input.opportunity
      ? contract.query.byOpportunity({ tenantId, opportunityId: input.opportunity })
      : input.customer
        ? contract.query.byCustomer({ tenantId, customerId: input.customer })
        : contract.query.byStatus({ tenantId, status: input.status ?? 'draft' });
    const filtered = query.where((attr, op) =>
      [
        input.status && (input.opportunity || input.customer) ? op.eq(attr.status, input.status) : '',
        input.customer && input.opportunity ? op.eq(attr.customerId, input.customer) : '',
      ]
        .filter(Boolean)
        .join(' AND '),
    );
    return filtered.go({ cursor, count: limit, limit: Math.max(limit, 50) });
  });
  return { ...page, items: page.items.map(toContractView) };
}

/** Only a draft changes: anything after submission is refused, so nothing bypasses the approval by editing. */
export async function updateContract(
  deps: Deps,
  actor: Actor,
  contractId: string,
  patch: UpdateContractInput,
  options: WriteOptions = {},
): Promise<ContractView> {
  return retryOnConcurrentChange(async () => {
    const current = await readContract(deps, actor, contractId);
    assertVersion(current.version, options.ifMatch);
    assertMayChangeOwned(actor, current.owner, 'contract');
    if (current.status !== 'draft') {
      throw new ConflictError(`The contract is ${current.status}; only a draft can be edited`, { contractStatus: current.status });
    }
    const next: ContractItem = {
      ...current,
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.startDate !== undefined && { startDate: patch.startDate }),
      ...(patch.renewal !== undefined && { renewal: patch.renewal }),
      specialTerms: patch.specialTerms === null ? undefined : (patch.specialTerms ?? current.specialTerms),
      endDate: patch.endDate === null ? undefined : (patch.endDate ?? current.endDate),
    };
    if (next.endDate !== undefined && next.endDate < next.startDate) {
      throw new UnprocessableError('The contract would end before it starts', [{ path: 'body.endDate', message: 'Must not be before startDate' }]);
    }
    const changes = diffFields(current, next);
    if (Object.keys(changes).length === 0) return toContractView(current);
    const [template, quote, opportunity] = await Promise.all([
      readTemplate(deps, actor, current.templateId),
      getQuote(deps, actor, current.quoteId),
      readOpportunity(deps, actor, current.opportunityId),
    ]);
    const now = deps.clock.now().toISOString();
    const saved: ContractItem = { ...next, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
    saved.body = await render(deps, actor, template, saved, quote, opportunity.name);
    const log = logChange(deps, actor, now, {
      entityType: 'contract',
      entityId: contractId,
      parentId: current.opportunityId,
      action: 'update',
      changes,
      events: [{ type: 'contract.updated', data: { contractId, changes } }],
    });
    const outcome = await deps.db.transaction
      .write((entities) => [
        entities.contract
          .put(saved)
          .where((attr, op) => `${op.eq(attr.version, current.version)} AND ${op.eq(attr.status, 'draft')}`)
          .commit(),
        ...changeLogCommits(entities, log),
      ])
      .go();
    if (outcome.canceled) throw new ConcurrentChange();
    return toContractView(saved);
  }, options);
}

async function render(deps: Deps, actor: Actor, template: TemplateItem, contract: ContractItem, quote: QuoteView, opportunityName: string) {
  const [settings, customer, contacts] = await Promise.all([
    getSettings(deps, actor),
    readCustomer(deps, actor, contract.customerId),
    deps.db.entities.contact.query.byCustomer({ tenantId: actor.tenantId, customerId: contract.customerId }).go({ pages: 'all' }),
  ]);
  return (await contractEngine().parseAndRender(template.body, {
    company: settings.companyName ?? actor.tenantId,
    today: deps.clock.now().toISOString().slice(0, 10),
    customer,
    contacts: contacts.data,
    opportunity: { name: opportunityName },
    quote,
    contract: {
      title: contract.title,
      startDate: contract.startDate,
      endDate: contract.endDate,
      renewal: contract.renewal,
      specialTerms: contract.specialTerms,
      revision: contract.revision ?? 1,
    },
  })) as string;
}

export async function readContract(deps: Deps, actor: Actor, contractId: string): Promise<ContractItem> {
  const { data } = await deps.db.entities.contract.get({ tenantId: actor.tenantId, contractId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Contract ${contractId} not found`);
  return data;
}

export function toContractView(item: ContractItem): ContractView {
  return compact({
    id: item.contractId,
    opportunityId: item.opportunityId,
    customerId: item.customerId,
    quoteId: item.quoteId,
    templateId: item.templateId,
    owner: item.owner,
    title: item.title,
    body: item.body,
    moneyTerms: item.moneyTerms as ContractView['moneyTerms'],
    startDate: item.startDate,
    endDate: item.endDate,
    renewal: item.renewal,
    status: item.status,
    revision: item.revision ?? 1,
    specialTerms: item.specialTerms,
    submittedBy: item.submittedBy,
    submittedAt: item.submittedAt,
    approvedAt: item.approvedAt,
    rejection: item.rejection as ContractView['rejection'],
    signedBy: item.signedBy,
    signedAt: item.signedAt,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
    version: item.version,
  });
}

/** The contract as a standalone HTML document: its rendered (already escaped) body under an escaped title. */
export function contractDocument(contract: Pick<ContractView, 'title' | 'body'>): string {
  const title = contract.title.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${contract.body}</body></html>`;
}
