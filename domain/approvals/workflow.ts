/**
 * The use cases behind the approval state machine's tasks (infra/constructs/approval-workflow.ts). Each one is
 * safe to run twice — Step Functions retries tasks — and checks that the contract is still pending approval in
 * the revision the execution is for, so a stale execution can never move a contract.
 */
import { readContract, statusChange, type ApprovalRunInput, type ContractItem } from '../contracts';
import { notificationItems } from '../notifications';
import { timerItem } from '../scheduling';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import type { Planned } from '../shared/versioned-write';
import { versionedWrite } from '../shared/versioned-write';
import { describeApprovers, largestDiscountPercent, planChain, type ChainLevel } from './policy';
import { approvalRequestId, closeRequest, findRequest, replaceRequest, type ApprovalRequestItem } from './requests';
import { readPolicy } from './approval-policy';

/** What the state machine carries from task to task. */
export interface RunState extends ApprovalRunInput {
  levelIndex: number;
  levelCount: number;
  /** Of the level at `levelIndex` (0 once the chain is done; the state machine reads them by path). */
  timeoutSeconds: number;
  escalationTimeoutSeconds: number;
}

export interface StepDefaults {
  timeoutSeconds: number;
  escalationTimeoutSeconds: number;
}

/** The state machine's error when an execution no longer matches its contract (another revision, not pending). */
export class StaleApprovalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaleApproval';
  }
}

const WORKFLOW_USER = 'system:approval-workflow';

function workflowActor(tenantId: string): Actor {
  return { tenantId, userId: WORKFLOW_USER, roles: [] };
}

async function pendingContract(deps: Deps, run: ApprovalRunInput): Promise<ContractItem> {
  const contract = await readContract(deps, workflowActor(run.tenantId), run.contractId);
  if (contract.status !== 'pending_approval' || (contract.revision ?? 1) !== run.revision) {
    throw new StaleApprovalError(`Contract ${run.contractId} is ${contract.status} in revision ${contract.revision ?? 1}, not pending in revision ${run.revision}`);
  }
  return contract;
}

function chainOf(contract: ContractItem): ChainLevel[] {
  return contract.approvalChain ?? [];
}

/** A change of the contract, re-applied on a fresh read while it is still pending in this revision. */
function changePending<T>(deps: Deps, run: ApprovalRunInput, build: (contract: ContractItem) => Planned<T> | Promise<Planned<T>>): Promise<T> {
  return versionedWrite(deps, {}, { read: () => pendingContract(deps, run), build });
}

function stateAt(run: ApprovalRunInput, chain: ChainLevel[], levelIndex: number): RunState {
  const level = chain[levelIndex];
  return {
    tenantId: run.tenantId,
    contractId: run.contractId,
    revision: run.revision,
    levelIndex,
    levelCount: chain.length,
    timeoutSeconds: level?.timeoutSeconds ?? 0,
    escalationTimeoutSeconds: level?.escalationTimeoutSeconds ?? 0,
  };
}

/**
 * The first level at or after `from` that has no approval yet in this revision. An execution started again for
 * the same revision (a resubmit after the engine lost it, e.g. a restart of the local runtime) resumes where the
 * approvals stand instead of asking again.
 */
async function firstOpenLevel(deps: Deps, run: ApprovalRunInput, from: number): Promise<number> {
  const { data } = await deps.db.entities.approvalRequest.query
    .byContract({ tenantId: run.tenantId, contractId: run.contractId })
    .where((attr, op) => `${op.eq(attr.revision, run.revision)} AND ${op.eq(attr.status, 'approved')}`)
    .go({ pages: 'all' });
  const approved = new Set(data.map((request) => request.levelIndex));
  let index = from;
  while (approved.has(index)) index += 1;
  return index;
}

/** First task: plans the chain from the tenant's policy (once per revision) and stores it on the contract. */
export async function planApproval(deps: Deps, run: ApprovalRunInput, defaults: StepDefaults): Promise<RunState> {
  const actor = workflowActor(run.tenantId);
  const policy = await readPolicy(deps, actor);
  const planned = await changePending(deps, run, (contract) => {
    if (contract.approvalChain) return { result: { chain: chainOf(contract), resumed: true } };
    const terms = contract.moneyTerms;
    const chain = planChain(
      policy,
      { total: terms.totals.total, largestDiscountPercent: largestDiscountPercent(terms), nonStandardTerms: contract.specialTerms !== undefined },
      defaults,
    );
    const levels = chain.map((level) => ({ name: level.name, approvers: level.approvers, reasons: level.reasons }));
    const change = statusChange(deps, actor, contract, 'pending_approval', 'plan_approval', { approvalChain: chain }, {
      events: [{ type: 'contract.approval_planned', data: { contractId: run.contractId, revision: run.revision, levels } }],
    });
    return { result: { chain, resumed: false }, write: change.write };
  });
  return stateAt(run, planned.chain, planned.resumed ? await firstOpenLevel(deps, run, 0) : 0);
}

/**
 * Where a pending step's execution stands, for an engine that lost it (the local runtime after a restart):
 * the same request, at its level, escalated or not, with what is left of its wait (at least a second, so a step
 * overdue meanwhile times out at once and escalates as it would have). Undefined when there is nothing to resume.
 */
export async function resumeStateOf(deps: Deps, request: ApprovalRequestItem): Promise<{ state: RunState; escalated: boolean } | undefined> {
  if (request.status !== 'pending') return undefined;
  const run = { tenantId: request.tenantId, contractId: request.contractId, revision: request.revision };
  const contract = await pendingContract(deps, run).catch(ignoreStale);
  const chain = contract ? chainOf(contract) : [];
  if (!contract || !chain[request.levelIndex]) return undefined;
  const remaining = Math.max(1, Math.ceil((Date.parse(request.dueAt) - deps.clock.now().getTime()) / 1000));
  const state = stateAt(run, chain, request.levelIndex);
  return {
    escalated: request.escalated,
    state: request.escalated ? { ...state, escalationTimeoutSeconds: remaining } : { ...state, timeoutSeconds: remaining },
  };
}

/** After an approved level: the state of the next one (levelIndex = levelCount when the chain is done). */
export async function nextLevel(deps: Deps, state: RunState): Promise<RunState> {
  const contract = await pendingContract(deps, state);
  return stateAt(state, chainOf(contract), await firstOpenLevel(deps, state, state.levelIndex + 1));
}

/**
 * The waiting task: records an approval request holding the task token, and notifies the approvers. Escalated,
 * it goes to the level's escalation target and closes the request that timed out.
 */
export async function openRequest(deps: Deps, input: RunState & { taskToken: string; escalated: boolean }): Promise<void> {
  const actor = workflowActor(input.tenantId);
  const requestId = approvalRequestId(input.contractId, input.revision, input.levelIndex, input.escalated);
  if (input.escalated) {
    await pendingContract(deps, input);
    await closeRequest(deps, actor, approvalRequestId(input.contractId, input.revision, input.levelIndex, false), 'timed_out', 'escalated');
  }
  await versionedWrite(deps, {}, {
    read: async () => {
      const [contract, existing, priorDeciders] = await Promise.all([
        pendingContract(deps, input),
        findRequest(deps, input.tenantId, requestId),
        earlierApprovers(deps, input),
      ]);
      return { contract, existing, priorDeciders };
    },
    build: ({ contract, existing, priorDeciders }) => {
      const level = chainOf(contract)[input.levelIndex];
      if (!level) throw new StaleApprovalError(`Contract ${input.contractId} has no approval level ${input.levelIndex + 1}`);
      const approvers = input.escalated ? level.escalateTo : level.approvers;
      const now = deps.clock.now();
      const at = now.toISOString();
      const waitSeconds = input.escalated ? input.escalationTimeoutSeconds : input.timeoutSeconds;
      // A step resumed while still pending (a local restart) keeps its due time: it waits what was left of it.
      const dueAt = existing?.status === 'pending' ? existing.dueAt : new Date(now.getTime() + waitSeconds * 1000).toISOString();
      const summary = { requestId, contractId: input.contractId, revision: input.revision, level: input.levelIndex + 1, levelName: level.name, approvers, dueAt };
      // The reminder job reminds the approvers once three quarters of the wait have passed.
      const reminder = timerItem(input.tenantId, 'approval', requestId, new Date(now.getTime() + waitSeconds * 750).toISOString(), 'remind');
      if (existing) {
        // A retried task (or a resumed execution): the request exists; only the new token counts. Timed out or
        // cancelled requests of an earlier run are reopened with it.
        if (existing.status === 'approved' || existing.status === 'rejected' || existing.status === 'deciding') return { result: undefined };
        if (existing.status === 'pending' && existing.taskToken === input.taskToken) return { result: undefined };
        const reopened: ApprovalRequestItem = { ...existing, status: 'pending', closedReason: undefined, taskToken: input.taskToken, dueAt, updatedAt: at, version: existing.version + 1 };
        const log = logChange(deps, actor, at, {
          entityType: 'approvalRequest',
          entityId: requestId,
          parentId: input.contractId,
          action: 'reopen',
          changes: {
            ...(existing.status !== 'pending' && { status: { from: existing.status, to: 'pending' } }),
            ...(existing.dueAt !== dueAt && { dueAt: { from: existing.dueAt, to: dueAt } }),
          },
          events: [{ type: 'approval.reopened', data: summary }],
        });
        return {
          result: undefined,
          write: (tx) => replaceRequest(tx.put('timer', tx.entities.timer.put(reminder).commit()).log(log), reopened, existing.version),
        };
      }
      const terms = contract.moneyTerms;
      const request: ApprovalRequestItem = {
        tenantId: input.tenantId,
        requestId,
        contractId: input.contractId,
        revision: input.revision,
        levelIndex: input.levelIndex,
        levelName: level.name,
        escalated: input.escalated,
        approverRole: approvers.role,
        approverUsers: approvers.users,
        contractTitle: contract.title,
        contractOwner: contract.owner,
        submittedBy: contract.submittedBy ?? contract.owner,
        priorDeciders: priorDeciders.length > 0 ? priorDeciders : undefined,
        total: terms.totals.total,
        taskToken: input.taskToken,
        dueAt,
        status: 'pending',
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      const log = logChange(deps, actor, at, {
        entityType: 'approvalRequest',
        entityId: requestId,
        parentId: input.contractId,
        action: input.escalated ? 'escalate' : 'request',
        changes: { status: { to: 'pending' }, approvers: { to: describeApprovers(approvers) }, dueAt: { to: dueAt } },
        events: [{ type: input.escalated ? 'approval.escalated' : 'approval.requested', data: summary }],
      });
      const notifications = notificationItems(deps, input.tenantId, at, approvers, {
        type: input.escalated ? 'approval.escalated' : 'approval.requested',
        title: `${input.escalated ? 'Escalated: approve' : 'Approve'} contract "${contract.title}" (${level.name}) by ${dueAt}`,
        subject: { type: 'approvalRequest', id: requestId },
        data: summary,
      });
      return {
        result: undefined,
        write: (tx) => {
          // Made once per revision, level and escalation: two deliveries of the same task at once make one request.
          tx.record('approvalRequest', tx.entities.approvalRequest.create(request).commit());
          tx.put('timer', tx.entities.timer.put(reminder).commit());
          tx.notify(notifications).log(log);
        },
      };
    },
  });
}

/**
 * Who approved an earlier level of this revision. Separation of duties: nobody decides two levels of the same
 * revision, even holding the roles of both (a manager who is also finance approves once, not twice).
 */
async function earlierApprovers(deps: Deps, run: RunState): Promise<string[]> {
  if (run.levelIndex === 0) return [];
  const { data } = await deps.db.entities.approvalRequest.query
    .byContract({ tenantId: run.tenantId, contractId: run.contractId })
    // `deciding` with an approval: the engine took that decision (this level follows from it) before it was confirmed.
    .where(
      (attr, op) =>
        `${op.eq(attr.revision, run.revision)} AND ${op.lt(attr.levelIndex, run.levelIndex)} AND ` +
        `(${op.eq(attr.status, 'approved')} OR (${op.eq(attr.status, 'deciding')} AND ${op.eq(attr.decision, 'approve')}))`,
    )
    .go({ pages: 'all', attributes: ['decidedBy'] });
  return [...new Set(data.flatMap((request) => (request.decidedBy ? [request.decidedBy] : [])))];
}

/** Every level approved: the contract is approved; its owner hears it. */
export async function recordApproval(deps: Deps, run: ApprovalRunInput): Promise<void> {
  const actor = workflowActor(run.tenantId);
  await changePending(deps, run, (contract) => {
    const at = deps.clock.now().toISOString();
    return statusChange(deps, actor, contract, 'approved', 'approve', { approvedAt: at }, {
      events: [{ type: 'contract.approved', data: { contractId: run.contractId, revision: run.revision } }],
      notifications: ownerNotifications(deps, contract, at, 'contract.approved', `Contract "${contract.title}" is approved: it can be signed`),
    });
  }).catch(ignoreStale);
}

/** An approver rejected: the contract is rejected with their reason; its owner hears it. */
export async function recordRejection(deps: Deps, run: ApprovalRunInput, failure: { Error?: string; Cause?: string }): Promise<void> {
  const decision = parseRejection(failure.Cause);
  await reject(deps, run, { reason: 'rejected', comment: decision.comment, by: decision.decidedBy }, (contract) =>
    `Contract "${contract.title}" was rejected${decision.comment ? `: ${decision.comment}` : ''}`,
  );
}

/** The escalated step timed out too: the contract is rejected as `approval_timed_out`. */
export async function recordTimeout(deps: Deps, state: RunState): Promise<void> {
  const actor = workflowActor(state.tenantId);
  await closeRequest(deps, actor, approvalRequestId(state.contractId, state.revision, state.levelIndex, true), 'timed_out', 'approval_timed_out');
  await reject(deps, state, { reason: 'approval_timed_out' }, (contract) => `Contract "${contract.title}" was rejected: nobody decided in time`);
}

/** Anything unexpected: the contract leaves `pending_approval` (as `approval_failed`) and open requests close. */
export async function recordFailure(deps: Deps, run: ApprovalRunInput, failure: { Error?: string; Cause?: string }): Promise<void> {
  const actor = workflowActor(run.tenantId);
  const { data: requests } = await deps.db.entities.approvalRequest.query
    .byContract({ tenantId: run.tenantId, contractId: run.contractId })
    .where((attr, op) => `${op.eq(attr.revision, run.revision)} AND (${op.eq(attr.status, 'pending')} OR ${op.eq(attr.status, 'deciding')})`)
    .go({ pages: 'all' });
  for (const request of requests) await closeRequest(deps, actor, request.requestId, 'cancelled', 'approval_failed');
  await reject(deps, run, { reason: 'approval_failed', comment: failure.Error ?? 'workflow error' }, (contract) =>
    `The approval of contract "${contract.title}" failed; revise and submit it again`,
  );
}

async function reject(
  deps: Deps,
  run: ApprovalRunInput,
  rejection: { reason: 'rejected' | 'approval_timed_out' | 'approval_failed'; comment?: string; by?: string },
  title: (contract: ContractItem) => string,
): Promise<void> {
  const actor = workflowActor(run.tenantId);
  await changePending(deps, run, (contract) => {
    const at = deps.clock.now().toISOString();
    return statusChange(deps, actor, contract, 'rejected', 'reject', { rejection: { ...rejection, at } }, {
      events: [{ type: 'contract.rejected', data: { contractId: contract.contractId, revision: contract.revision ?? 1, reason: rejection.reason } }],
      notifications: ownerNotifications(deps, contract, at, 'contract.rejected', title(contract)),
    });
  }).catch(ignoreStale);
}

function ownerNotifications(deps: Deps, contract: ContractItem, at: string, type: string, title: string) {
  const users = [contract.owner, ...(contract.submittedBy ? [contract.submittedBy] : [])];
  return notificationItems(deps, contract.tenantId, at, { users }, { type, title, subject: { type: 'contract', id: contract.contractId } });
}

function ignoreStale(error: unknown): undefined {
  if (error instanceof StaleApprovalError) return undefined;
  throw error;
}

function parseRejection(cause: string | undefined): { decidedBy?: string; comment?: string } {
  try {
    const parsed = JSON.parse(cause ?? '{}') as { decidedBy?: unknown; comment?: unknown };
    return {
      ...(typeof parsed.decidedBy === 'string' && { decidedBy: parsed.decidedBy }),
      ...(typeof parsed.comment === 'string' && { comment: parsed.comment }),
    };
  } catch {
    return {};
  }
}
