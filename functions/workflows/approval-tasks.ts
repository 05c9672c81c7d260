/**
 * The Lambda behind every task of the approval state machine (infra/constructs/approval-workflow.ts). The
 * state machine names the step in `action`; the domain does the work. Errors propagate: the state machine
 * retries transient ones and catches the rest into `failed`. Traced like every background function
 * (../shared/background-handler.ts): the invocation joins the execution's X-Ray trace, its DynamoDB calls as
 * subsegments. What the steps decide is counted by the outbox relay, from the events they commit.
 */
import * as z from 'zod';
import { TRANSIENT_ERROR } from '../../domain/contracts';
import {
  StaleApprovalError,
  nextLevel,
  openRequest,
  planApproval,
  recordApproval,
  recordFailure,
  recordRejection,
  recordTimeout,
  type RunState,
} from '../../domain/approvals/workflow';
import type { Deps } from '../../domain/shared/ports';
import { backgroundHandler } from '../shared/background-handler';
import { logger, runtimeDeps } from '../shared/runtime';
import { tracedRuntimeDeps } from '../shared/tracer';

const Run = z.object({ tenantId: z.string().min(1), contractId: z.string().min(1), revision: z.number().int().min(1) });
const State = Run.extend({
  levelIndex: z.number().int().min(0),
  levelCount: z.number().int().min(0),
  timeoutSeconds: z.number().int().min(0),
  escalationTimeoutSeconds: z.number().int().min(0),
});
const Failure = z.object({ Error: z.string().optional(), Cause: z.string().optional() });

const TaskEvent = z.discriminatedUnion('action', [
  Run.extend({ action: z.literal('plan') }),
  State.extend({ action: z.literal('request'), taskToken: z.string().min(1), escalated: z.boolean() }),
  State.extend({ action: z.literal('next') }),
  State.extend({ action: z.literal('approved') }),
  State.extend({ action: z.literal('rejected'), failure: Failure }),
  State.extend({ action: z.literal('timed_out') }),
  State.extend({ action: z.literal('failed'), failure: Failure }),
]);
export type ApprovalTaskEvent = z.infer<typeof TaskEvent>;

/** Step timeouts where a policy level sets none: the stage config, passed in the environment by CDK. */
export function stepDefaults(env: NodeJS.ProcessEnv = process.env) {
  const timeoutSeconds = Number(env.APPROVAL_TIMEOUT_SECONDS ?? 24 * 60 * 60);
  return { timeoutSeconds, escalationTimeoutSeconds: Number(env.APPROVAL_ESCALATION_TIMEOUT_SECONDS ?? timeoutSeconds) };
}

export function createApprovalTasksHandler(deps: () => Deps = runtimeDeps) {
  const run = runTask(deps);
  return async (raw: unknown): Promise<RunState | null> => {
    try {
      return await run(raw);
    } catch (error) {
      throw asTaskError(error);
    }
  };
}

/**
 * The state machine retries TRANSIENT_ERROR with backoff and catches everything else into `failed`: a stale
 * execution or a malformed event will not get better by retrying; a throttled or unreachable table will.
 */
function asTaskError(error: unknown): Error {
  if (error instanceof StaleApprovalError || error instanceof z.ZodError) return error;
  logger.warn('approval task failed; the state machine retries it', { error: error as Error });
  const transient = new Error((error as Error).message ?? String(error), { cause: error });
  transient.name = TRANSIENT_ERROR;
  return transient;
}

function runTask(deps: () => Deps) {
  return async (raw: unknown): Promise<RunState | null> => {
    const event = TaskEvent.parse(raw);
    logger.info('approval task', { action: event.action, contractId: event.contractId, revision: event.revision });
    switch (event.action) {
      case 'plan':
        return planApproval(deps(), event, stepDefaults());
      case 'request':
        await openRequest(deps(), event);
        return null;
      case 'next':
        return nextLevel(deps(), event);
      case 'approved':
        await recordApproval(deps(), event);
        return null;
      case 'rejected':
        await recordRejection(deps(), event, event.failure);
        return null;
      case 'timed_out':
        await recordTimeout(deps(), event);
        return null;
      case 'failed':
        await recordFailure(deps(), event, event.failure);
        return null;
    }
  };
}

export const handler = backgroundHandler(createApprovalTasksHandler(tracedRuntimeDeps));
