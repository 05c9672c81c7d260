/**
 * The approval engine of this process: Step Functions (APPROVAL_STATE_MACHINE_ARN) on AWS, or the local
 * runner that `npm start` and the tests install with `useApprovalEngine`. Only the functions that start or
 * decide approvals import this, so the others do not carry the SFN client.
 */
import {
  InvalidToken,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  ExecutionAlreadyExists,
} from '@aws-sdk/client-sfn';
import { TaskClosedError, type ApprovalEngine } from '../../domain/contracts';

let installed: ApprovalEngine | undefined;

/** The local runtime's engine (aws-local-stepfunctions); takes precedence over Step Functions. */
export function useApprovalEngine(engine: ApprovalEngine | undefined): void {
  installed = engine;
}

export function runtimeApprovalEngine(): ApprovalEngine {
  if (installed) return installed;
  const stateMachineArn = process.env.APPROVAL_STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('APPROVAL_STATE_MACHINE_ARN is not set and no local approval engine is installed');
  installed = stepFunctionsEngine(new SFNClient({}), stateMachineArn);
  return installed;
}

export function stepFunctionsEngine(client: SFNClient, stateMachineArn: string): ApprovalEngine {
  const closed = (error: unknown): never => {
    if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken) {
      throw new TaskClosedError(`The approval step no longer waits (${error.name})`);
    }
    throw error;
  };
  return {
    async start(name, input) {
      try {
        await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      } catch (error) {
        // Same name and input as a running execution is answered with success by Step Functions itself; a
        // closed one with this name means this revision was already decided: nothing to start either.
        if (error instanceof ExecutionAlreadyExists) return;
        throw error;
      }
    },
    async succeed(taskToken, output) {
      await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })).catch(closed);
    },
    async fail(taskToken, error, cause) {
      await client.send(new SendTaskFailureCommand({ taskToken, error, cause })).catch(closed);
    },
  };
}
