/**
 * Use cases: contracts made from accepted quotes. A contract keeps the text rendered from one template version
 * and a snapshot of the quote's money terms; only a draft changes, and a change re-renders it.
 */
import type { EntityItem } from 'electrodb';
import { readCustomer } from '../customers';
import type { SalesDb } from '../db';
import { ConcurrentChangeError, ConflictError, NotFoundError, UnprocessableError } from '../errors';
import { readOpportunity } from '../pipeline';
import { getQuote } from '../quotes';
import type { QuoteView } from '../quotes/schemas';
import { getSettings } from '../settings';
import { assertMayChangeOwned, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { compact, diffFields } from '../shared/records';
import { createWrite, versionedWrite, type Planned, type WriteOptions } from '../shared/versioned-write';
import { contractEngine } from './placeholders';
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
  assertMayChangeOwned(actor, quote.owner, 'quote');
  const template = await readTemplate(deps, actor, input.templateId).catch((error: unknown) => {
    if (error instanceof NotFoundError) {
      throw new UnprocessableError('No such contract template', [{ path: 'body.templateId', message: 'Not a template of this tenant' }]);
    }
    throw error;
  });
  const opportunity = await readOpportunity(deps, actor, quote.opportunityId);
  return createWrite(deps, async () => {
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
    const log = logChange(deps, actor, now, {
      entityType: 'contract',
      entityId: contract.contractId,
      parentId: contract.opportunityId,
      action: 'create',
      changes: { quoteId: { to: quoteId }, templateId: { to: template.templateId }, status: { to: 'draft' } },
      events: [{ type: 'contract.created', data: { contractId: contract.contractId, quoteId, total: quote.totals.total } }],
    });
    return { result: toContractView(contract), write: (tx) => tx.put('contract', tx.entities.contract.create(contract).commit()).log(log) };
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
  return toContractView(contract);
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
  return versionedWrite(deps, options, {
    read: () => readContract(deps, actor, contractId),
    version: (current) => current.version,
    build: async (current) => {
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
      if (Object.keys(changes).length === 0) return { result: toContractView(current) };
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
      return {
        result: toContractView(saved),
        write: (tx) =>
          tx
            .record(
              'contract',
              tx.entities.contract
                .put(saved)
                .where((attr, op) => `${op.eq(attr.version, current.version)} AND ${op.eq(attr.status, 'draft')}`)
                .commit(),
            )
            .log(log),
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
  extra: { events?: Array<{ type: string; data?: Record<string, unknown> }>; notifications?: NotificationItem[] } = {},
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
    write: (tx) =>
      tx
        .record(
          'contract',
          tx.entities.contract
            .put(saved)
            .where((attr, op) => op.eq(attr.version, current.version))
            .commit(),
        )
        .notify(extra.notifications ?? [])
        .log(log),
  };
}

/** The planned chain is shown by GET /contracts/{id}/approvals; the audit records that it was planned, not its copy. */
function withoutChain(item: ContractItem): Partial<ContractItem> {
  const { approvalChain: _chain, ...rest } = item;
  return rest;
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
