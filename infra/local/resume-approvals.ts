/**
 * After a restart of `npm start` the local approval engine has lost its executions (on AWS, Step Functions
 * keeps them): every approval step still pending is resumed, at its level, with the same request id — so the
 * approvals list and the signed links stay valid — and what is left of its wait, so its timeout fires on time.
 *
 * Finding them is a Scan of the local table: a start-up chore of the local runtime only, never a request path
 * (the table has no cross-tenant index of pending steps, and none is wanted for this).
 */
import { executionName } from '../../domain/contracts';
import { resumeStateOf } from '../../domain/approvals';
import type { Deps } from '../../domain/shared/ports';
import type { LocalApprovalEngine } from './local-workflow';

export async function resumePendingApprovals(deps: Deps, engine: LocalApprovalEngine, log: (line: string) => void): Promise<number> {
  const { data: pending } = await deps.db.entities.approvalRequest.scan.where((attr, op) => op.eq(attr.status, 'pending')).go({ pages: 'all' });
  let resumed = 0;
  for (const request of pending) {
    const name = executionName(request.contractId, request.revision);
    if (engine.executions().get(name) === 'running') continue;
    const resume = await resumeStateOf(deps, request);
    if (!resume) continue;
    await engine.resume(name, resume.state, resume.escalated ? 'escalatedDecision' : 'decision');
    const left = resume.escalated ? resume.state.escalationTimeoutSeconds : resume.state.timeoutSeconds;
    log(`[workflow] resumed the pending step ${request.requestId} (${request.tenantId}) with ${left} s of its wait left`);
    resumed += 1;
  }
  return resumed;
}
