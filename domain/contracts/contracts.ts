/**
 * Use cases: contracts made from accepted quotes. A contract keeps the text rendered from one template version
 * and a snapshot of the quote's money terms; only a draft changes, and a change re-renders it.
 */
import type { EntityItem } from 'electrodb';
import { readCustomer } from '../customers';
import type { SalesDb } from '../db';
import { ConcurrentChangeError, ConflictError, NotFoundError, UnprocessableError } from '../errors';
import type { OpportunityItem } from '../pipeline';
import { dealOwnerUnchanged, dealOwners, getQuote, readDealToChange } from '../quotes';
import type { QuoteView } from '../quotes/schemas';
import { getSettings } from '../settings';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { compact, diffFields } from '../shared/records';
import { versionedWrite, type Planned, type WriteOptions } from '../shared/versioned-write';
import { renderTemplate } from './placeholders';
import { isDueToActivate } from './rules';
import type { ContractView, CreateContractInput, ListContractsInput, UpdateContractInput } from './schemas';
import { readTemplate, type TemplateItem } from './templates';

export type ContractItem = EntityItem<SalesDb['entities']['contract']>;
type NotificationItem = EntityItem<SalesDb['entities']['notification']>;

export async function createContract(deps: Deps, actor: Actor, quoteId: string, input: CreateContractInput): Promise<ContractView> {
  const quote = await getQuote(deps, actor, quoteId);
  if (quote.status !== 'accepted') {
    throw new ConflictError(`A contract is made from an accepted quote; this quote is ${quote.status}`, { quoteStatus: quote.status });
  }
  const template = await readTemplate(deps, actor, input.templateId).catch((error: unknown) => {
    if (error instanceof NotFoundError) {
      throw new UnprocessableError('No such contract template', [{ path: 'body.templateId', message: 'Not a template of this tenant' }]);
    }
    throw error;
  });
  return versionedWrite(deps, {}, {
    read: () => readDealToChange(deps, actor, quote.opportunityId, 'quote'),
    build: async (opportunity) => {
      const now = deps.clock.now().toISOString();
      const contract: ContractItem = {
        tenantId: actor.tenantId,
        contractId: deps.ids.next(),
        opportunityId: quote.opportunityId,
        customerId: quote.customerId,
        quoteId,
        templateId: template.templateId,
        owner: opportunity.owner,
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
      contract.body = await render(deps, actor, template, contract, quote, opportunity.name, 'body.templateId');
      const log = logChange(deps, actor, now, {
        entityType: 'contract',
        entityId: contract.contractId,
        parentId: contract.opportunityId,
        action: 'create',
        changes: { quoteId: { to: quoteId }, templateId: { to: template.templateId }, status: { to: 'draft' } },
        events: [{ type: 'contract.created', data: { contractId: contract.contractId, quoteId, total: quote.totals.total } }],
      });
      return {
        result: toContractView(contract),
        write: (tx) => {
          tx.put('contract', tx.entities.contract.create(contract).commit()).log(log);
          dealOwnerUnchanged(tx, opportunity);
        },
      };
    },
  });
}

/** A signed contract whose start date has come is recorded as active when it is read. */
export async function getContract(deps: Deps, actor: Actor, contractId: string): Promise<ContractView> {
  const system = { ...actor, userId: 'system' };
  const contract = await versionedWrite(deps, {}, {
    read: () => readContract(deps, actor, contractId),
    build: (current) => (isDueToActivate(current, deps.clock.now()) ? statusChange(deps, system, current, 'active', 'activate', {}) : { result: current }),
  }).catch(async (error: unknown) => {
    // A read never fails for being busy: others keep changing it, so show it as it is now.
    if (error instanceof ConcurrentChangeError) return readContract(deps, actor, contractId);
    throw error;
  });
  const owners = await dealOwners(deps, actor.tenantId, [contract.opportunityId]);
  return toContractView(contract, owners.get(contract.opportunityId));
}

export async function listContracts(deps: Deps, actor: Actor, input: ListContractsInput): Promise<Page<ContractView>> {
  const { tenantId } = actor;
  const { contract } = deps.db.entities;
  const scope = [tenantId, 'contracts', input.status, input.customer, input.opportunity].join('|');
  const query = input.opportunity
    ? contract.query.byOpportunity({ tenantId, opportunityId: input.opportunity })
    : input.customer
      ? contract.query.byCustomer({ tenantId, customerId: input.customer })
      : contract.query.byStatus({ tenantId, status: input.status ?? 'draft' });
  const byStatus = Boolean(input.status && (input.opportunity || input.customer));
  const byCustomer = Boolean(input.customer && input.opportunity);
  const filtered = query.where((attr, op) =>
    [byStatus ? op.eq(attr.status, input.status!) : '', byCustomer ? op.eq(attr.customerId, input.customer!) : ''].filter(Boolean).join(' AND '),
  );
  const page = await readPage(deps, scope, input, filtered, { filtered: byStatus || byCustomer });
  const owners = await dealOwners(deps, tenantId, page.items.map((item) => item.opportunityId));
  return { ...page, items: page.items.map((item) => toContractView(item, owners.get(item.opportunityId))) };
}

/** Only a draft changes: anything after submission is refused, so nothing bypasses the approval by editing. */
export async function updateContract(
  deps: Deps,
  actor: Actor,
  contractId: string,
  patch: UpdateContractInput,
  options: WriteOptions = {},
): Promise<ContractView> {
  return versionedWrite(deps, options, {
    read: () => readContractToChange(deps, actor, contractId),
    version: ({ current }) => current.version,
    build: async ({ current, opportunity }) => {
      if (current.status !== 'draft') {
        throw new ConflictError(`The contract is ${current.status}; only a draft can be edited`, { contractStatus: current.status });
      }
      const next: ContractItem = {
        ...current,
        owner: opportunity.owner,
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
      if (Object.keys(changes).length === 0) return { result: toContractView(current, opportunity.owner) };
      const [template, quote] = await Promise.all([readTemplate(deps, actor, current.templateId), getQuote(deps, actor, current.quoteId)]);
      const now = deps.clock.now().toISOString();
      const saved: ContractItem = { ...next, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
      saved.body = await render(deps, actor, template, saved, quote, opportunity.name, 'templateId');
      const log = logChange(deps, actor, now, {
        entityType: 'contract',
        entityId: contractId,
        parentId: current.opportunityId,
        action: 'update',
        changes,
        events: [{ type: 'contract.updated', data: { contractId, changes } }],
      });
      return {
        result: toContractView(saved),
        write: (tx) => {
          tx.record(
            'contract',
            tx.entities.contract
              .put(saved)
              .where((attr, op) => `${op.eq(attr.version, current.version)} AND ${op.eq(attr.status, 'draft')}`)
              .commit(),
          ).log(log);
          dealOwnerUnchanged(tx, opportunity);
        },
      };
    },
  });
}

/**
 * A contract's new status (and the fields that go with it), written on the condition that nobody changed it
 * since it was read, with its audit entry, events and notifications. Run it inside `versionedWrite`.
 */
export function statusChange(
  deps: Deps,
  actor: Actor,
  current: ContractItem,
  status: ContractItem['status'],
  action: string,
  fields: Partial<ContractItem>,
  extra: {
    events?: Array<{ type: string; data?: Record<string, unknown> }>;
    notifications?: NotificationItem[];
    /** The deal the caller was judged against (readContractToChange): its owner must not change meanwhile. */
    deal?: OpportunityItem;
  } = {},
): Planned<ContractItem> {
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
  return {
    result: saved,
    write: (tx) => {
      tx.record(
        'contract',
        tx.entities.contract
          .put(saved)
          .where((attr, op) => op.eq(attr.version, current.version))
          .commit(),
      )
        .notify(extra.notifications ?? [])
        .log(log);
      if (extra.deal) dealOwnerUnchanged(tx, extra.deal);
    },
  };
}

/** The planned chain is shown by GET /contracts/{id}/approvals; the audit records that it was planned, not its copy. */
function withoutChain(item: ContractItem): Partial<ContractItem> {
  const { approvalChain: _chain, ...rest } = item;
  return rest;
}

/**
 * The contract's body from its template. Only the placeholders reach the template (placeholders.ts projects the
 * records onto them); a template that cannot be rendered — one saved before the rules of today that uses a refused
 * tag, a runaway loop stopped by the limits, a body too long to store — is the caller's 422 naming the template
 * (`path`: where the request names it), thrown before anything is written.
 */
async function render(
  deps: Deps,
  actor: Actor,
  template: TemplateItem,
  contract: ContractItem,
  quote: QuoteView,
  opportunityName: string,
  path: string,
): Promise<string> {
  const [settings, customer, contacts] = await Promise.all([
    getSettings(deps, actor),
    readCustomer(deps, actor, contract.customerId),
    deps.db.entities.contact.query.byCustomer({ tenantId: actor.tenantId, customerId: contract.customerId }).go({ pages: 'all' }),
  ]);
  const rendered = renderTemplate(template.body, {
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
  });
  if ('body' in rendered) return rendered.body;
  const name = `"${template.name}" (version ${template.templateVersion})`;
  throw new UnprocessableError(
    `The contract template ${name} cannot be rendered`,
    [{ path, message: `Template ${name} cannot be rendered: ${rendered.failure}` }],
    { cause: rendered.cause },
  );
}

/**
 * A contract and its deal, read to be changed: 403 unless the caller may change the deal now (its current owner,
 * a manager or an admin — quotes/deal-authority.ts). Put `dealOwnerUnchanged` in the write's transaction.
 */
export async function readContractToChange(deps: Deps, actor: Actor, contractId: string): Promise<{ current: ContractItem; opportunity: OpportunityItem }> {
  const current = await readContract(deps, actor, contractId);
  return { current, opportunity: await readDealToChange(deps, actor, current.opportunityId, 'contract') };
}

export async function readContract(deps: Deps, actor: Actor, contractId: string): Promise<ContractItem> {
  const { data } = await deps.db.entities.contract.get({ tenantId: actor.tenantId, contractId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Contract ${contractId} not found`);
  return data;
}

/** `owner`: the deal's current owner, where the caller read the deal; else the copy stored with the contract. */
export function toContractView(item: ContractItem, owner = item.owner): ContractView {
  return compact({
    id: item.contractId,
    opportunityId: item.opportunityId,
    customerId: item.customerId,
    quoteId: item.quoteId,
    templateId: item.templateId,
    owner,
    title: item.title,
    body: item.body,
    moneyTerms: item.moneyTerms,
    startDate: item.startDate,
    endDate: item.endDate,
    renewal: item.renewal,
    status: item.status,
    revision: item.revision ?? 1,
    specialTerms: item.specialTerms,
    submittedBy: item.submittedBy,
    submittedAt: item.submittedAt,
    approvedAt: item.approvedAt,
    rejection: item.rejection,
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
