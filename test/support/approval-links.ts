/**
 * A contract waiting for an approval step, and that step's signed links, made over HTTP as people would: an admin
 * saves a template, a rep sells (customer, deal, quote sent and accepted, contract) and submits, the workflow asks
 * the approvers, and the approver asks for links. For the suites that open those links (test/e2e/approval-pages,
 * test/browser).
 */
import { expect } from 'vitest';
import { newTenant } from './dynamo';
import { eventually } from './eventually';
import { call, type TestApi } from './local-api';

export interface ApprovalRequestView {
  id: string;
  contractId: string;
  level: number;
  levelName: string;
  status: string;
  decision?: string;
  decidedBy?: string;
  comment?: string;
  via?: string;
}

export interface PendingStep {
  tenant: string;
  tokens: { admin: string; rep: string; manager: string; finance: string };
  customerName: string;
  contractId: string;
  contractTitle: string;
  request: ApprovalRequestView;
  links: { approveUrl: string; rejectUrl: string; expiresAt: string };
  /** The links' paths (the links point at the API the approver reached: this one). */
  approvePath: string;
  rejectPath: string;
}

/**
 * A contract of `amount` minor units (EUR) for a customer named `customerName`, submitted by the rep, and the
 * pending step of `level` with the links of its approver: the default policy asks a manager (alice) for every
 * contract, then finance (fiona) from 50,000.00 on; the steps before `level` are approved over the API.
 */
export async function pendingStepWithLinks(
  api: TestApi,
  options: { name: string; customerName: string; contractTitle: string; amount: number; level?: 1 | 2 },
): Promise<PendingStep> {
  const tenant = newTenant(options.name);
  const tokens = {
    admin: await api.token(tenant, 'admin', 'dana'),
    rep: await api.token(tenant, 'rep', 'bob'),
    manager: await api.token(tenant, 'manager', 'alice'),
    finance: await api.token(tenant, 'finance', 'fiona'),
  };
  const created = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await call<{ id: string }>(api, method, path, { token, body });
    expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body;
  };
  const template = await created('POST', '/contract-templates', tokens.admin, { name: 'MSA', body: '<p>{{ customer.name }} buys from {{ contract.startDate }}.</p>' });
  const customer = await created('POST', '/customers', tokens.rep, { name: options.customerName });
  const deal = await created('POST', '/opportunities', tokens.rep, { customerId: customer.id, name: 'Platform deal', expectedCloseDate: '2027-03-31' });
  const quote = await created('POST', `/opportunities/${deal.id}/quotes`, tokens.rep, {
    currency: 'EUR',
    lines: [{ description: 'Licences', quantity: '1', unitPrice: { amount: options.amount, currency: 'EUR' } }],
  });
  await created('POST', `/quotes/${quote.id}/send`, tokens.rep);
  await created('POST', `/quotes/${quote.id}/accept`, tokens.rep);
  const contract = await created('POST', `/quotes/${quote.id}/contract`, tokens.rep, { templateId: template.id, startDate: '2027-01-01', title: options.contractTitle });
  await created('POST', `/contracts/${contract.id}/submit`, tokens.rep);

  const level = options.level ?? 1;
  const manager = await pendingRequest(api, tokens.manager, contract.id, 1);
  let request = manager;
  if (level === 2) {
    await created('POST', `/approvals/${manager.id}/decision`, tokens.manager, { decision: 'approve', comment: 'Fine by me' });
    request = await pendingRequest(api, tokens.finance, contract.id, 2);
  }
  const approver = level === 2 ? tokens.finance : tokens.manager;
  const links = await call<PendingStep['links']>(api, 'POST', `/approvals/${request.id}/links`, { token: approver });
  expect(links.status).toBe(200);
  return {
    tenant,
    tokens,
    customerName: options.customerName,
    contractId: contract.id,
    contractTitle: options.contractTitle,
    request,
    links: links.body,
    approvePath: new URL(links.body.approveUrl).pathname,
    rejectPath: new URL(links.body.rejectUrl).pathname,
  };
}

/** The pending request of the contract at `level` that `token` may decide, once the workflow has made it. */
export async function pendingRequest(api: TestApi, token: string, contractId: string, level: number): Promise<ApprovalRequestView> {
  return eventually(async () => {
    const page = await call<{ items: ApprovalRequestView[] }>(api, 'GET', '/approvals?status=pending', { token });
    const found = page.body.items.find((request) => request.contractId === contractId && request.level === level);
    expect(found, `a pending request of ${contractId} at level ${level}`).toBeDefined();
    return found!;
  });
}

/** The contract's approval trail: every request with its decision. */
export async function approvalTrail(api: TestApi, token: string, contractId: string) {
  const trail = await call<{ status: string; chain: Array<{ level: number; name: string; reasons: string[] }>; requests: ApprovalRequestView[] }>(
    api,
    'GET',
    `/contracts/${contractId}/approvals`,
    { token },
  );
  expect(trail.status).toBe(200);
  return trail.body;
}
