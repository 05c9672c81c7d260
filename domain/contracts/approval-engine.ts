/**
 * The port to the workflow engine that runs contract approvals: contracts start it, approvals decide its steps.
 * Step Functions on AWS (functions/shared/approval-engine.ts), aws-local-stepfunctions with a token broker
 * locally (infra/local/local-workflow.ts).
 */

/** What an approval execution starts with; the rest it reads from the table. */
export interface ApprovalRunInput {
  tenantId: string;
  contractId: string;
  revision: number;
}

export interface ApprovalEngine {
  /** Starts the approval of one contract revision. Idempotent by name: a second start of a running one starts nothing. */
  start(name: string, input: ApprovalRunInput): Promise<void>;
  /** Completes a waiting step. Throws TaskClosedError when it timed out or no longer waits. */
  succeed(taskToken: string, output: Record<string, unknown>): Promise<void>;
  /** Fails a waiting step with a named error (the state machine catches it). Throws TaskClosedError like succeed. */
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

/** The step no longer waits for this token: it timed out (and escalated) or its execution ended. */
export class TaskClosedError extends Error {
  constructor(message = 'The approval step no longer waits for a decision') {
    super(message);
    this.name = 'TaskClosedError';
  }
}

/** The error a rejection fails the waiting step with; the state machine catches it by this name. */
export const APPROVAL_REJECTED = 'ApprovalRejected';

/** The error name of task failures worth retrying (anything but a stale execution or a malformed event). */
export const TRANSIENT_ERROR = 'Salesflow.Transient';

/** Execution names are unique per state machine: one per contract revision makes a double submit a no-op. */
export function executionName(contractId: string, revision: number): string {
  return `contract-${contractId}-r${revision}`;
}
