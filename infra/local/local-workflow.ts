/**
 * The approval workflow on this machine: the ASL that CDK builds (infra/constructs/approval-workflow.ts), run
 * by aws-local-stepfunctions, with every Task mapped to the same Lambda handler that runs on AWS, and a token
 * broker standing in for SendTaskSuccess/SendTaskFailure (which the library does not have).
 *
 * Facts this relies on (DESIGN): the library needs Promise.withResolvers (Node 22; polyfilled here for Node 20);
 * `$$.Task.Token` comes only from the `context` run option, so a getter hands out a fresh token per task; it
 * honours TimeoutSecondsPath; Retry and Catch match errors by `name`. Executions live in this process; `resume`
 * starts one again at a waiting step (the same ASL, started at that state): `npm start` resumes every pending
 * approval step whose execution a restart lost (infra/local/resume-approvals.ts), with the same request and what is
 * left of its wait.
 */
import { randomBytes } from 'node:crypto';
import type { ApprovalEngine, ApprovalRunInput } from '../../domain/contracts';
import { TaskClosedError } from '../../domain/contracts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type AslDefinition = { StartAt: string; States: Record<string, { Type: string; [key: string]: unknown }> };
type TaskHandler = (event: unknown) => Promise<unknown>;

const LOCAL_TASKS_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:salesflow-local-approval-tasks';

installPromiseWithResolvers();

/** The approval ASL exactly as CDK renders it, with the few CloudFormation intrinsics in it resolved. */
export async function renderApprovalAsl(): Promise<AslDefinition> {
  const [{ App, Stack }, { Function: LambdaFunction }, { StateGraph, Chain }, { approvalDefinition }] = await Promise.all([
    import('aws-cdk-lib'),
    import('aws-cdk-lib/aws-lambda'),
    import('aws-cdk-lib/aws-stepfunctions'),
    import('../constructs/approval-workflow'),
  ]);
  const stack = new Stack(new App(), 'LocalApproval', { env: { account: '000000000000', region: 'us-east-1' } });
  const tasks = LambdaFunction.fromFunctionArn(stack, 'Tasks', LOCAL_TASKS_ARN);
  const chain = Chain.start(approvalDefinition(stack, tasks));
  const graph = new StateGraph(chain.startState, 'Approval');
  return resolveIntrinsics(stack.resolve(graph.toGraphJson()) as Json) as unknown as AslDefinition;
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Fn::Join and Ref of pseudo parameters, the only intrinsics the definition holds (anything else is an error). */
export function resolveIntrinsics(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const resolved = PSEUDO_PARAMETERS[value.Ref as string];
    if (resolved === undefined) throw new Error(`Cannot resolve Ref ${JSON.stringify(value.Ref)} in the approval ASL`);
    return resolved;
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map((part) => resolveIntrinsics(part)).join(separator);
  }
  if (keys.length === 1 && keys[0]!.startsWith('Fn::')) throw new Error(`Cannot resolve ${keys[0]} in the approval ASL`);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveIntrinsics(inner)]));
}

/**
 * Step Functions resolves TimeoutSecondsPath against the state's input; aws-local-stepfunctions resolves it
 * against the effective input (after Parameters), which for a `lambda:invoke.waitForTaskToken` task is
 * `{ FunctionName, Payload }`. Our waiting tasks pass the same field in their Payload, so the local copy points
 * there: `$.timeoutSeconds` → `$.Payload.timeoutSeconds`. Nothing else of the definition changes.
 */
export function adaptTimeoutPaths(definition: AslDefinition): AslDefinition {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      const path = state.TimeoutSecondsPath;
      const payload = (state.Parameters as { Payload?: Record<string, unknown> } | undefined)?.Payload;
      if (typeof path !== 'string' || !payload) return [name, state];
      const field = path.replace(/^\$\./, '');
      if (payload[`${field}.$`] !== path) throw new Error(`Task "${name}" must pass ${path} in its Payload for the local runner`);
      return [name, { ...state, TimeoutSecondsPath: `$.Payload.${field}` }];
    }),
  );
  return { ...definition, States: states };
}

interface Waiting {
  resolve(output: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** A waiting step of the definition (infra/constructs/approval-workflow.ts) an execution can be resumed at. */
export const RESUMABLE_STEPS = { decision: 'Await decision', escalatedDecision: 'Await escalated decision' } as const;

export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'stopped';

export interface LocalApprovalEngine extends ApprovalEngine {
  /** Names of executions started in this process and how they ended (`running` until then). */
  executions(): ReadonlyMap<string, ExecutionStatus>;
  /**
   * Runs the execution `name` again from a waiting step with `state` (a RunState: the step's level and its
   * timeouts) as that state's input; nothing if it runs in this process already.
   */
  resume(name: string, state: ApprovalRunInput, step: keyof typeof RESUMABLE_STEPS): Promise<void>;
  /** Stops every running execution and its timers. */
  stop(): void;
}

export function createLocalApprovalEngine(options: { handler: TaskHandler; log?: (line: string) => void }): LocalApprovalEngine {
  const log = options.log ?? (() => undefined);
  const waiting = new Map<string, Waiting>();
  const executions = new Map<string, ExecutionStatus>();
  const aborts = new Set<() => void>();
  const machines = new Map<string, Promise<{ run: RunMachine; taskStates: string[] }>>();

  type RunMachine = (input: ApprovalRunInput, name: string) => { result: Promise<unknown>; abort: () => void };

  /** The definition as CDK renders it, started at `startAt` (its own StartAt unless resuming). */
  const loadMachine = (startAt?: string) => {
    const key = startAt ?? '';
    if (!machines.has(key)) machines.set(key, buildMachine(startAt));
    return machines.get(key)!;
  };
  const buildMachine = async (startAt: string | undefined) => {
    const [{ StateMachine }, rendered] = await Promise.all([import('aws-local-stepfunctions'), renderApprovalAsl()]);
    const adapted = adaptTimeoutPaths(rendered);
    if (startAt !== undefined && !adapted.States[startAt]) throw new Error(`The approval definition has no state "${startAt}"`);
    const definition = startAt === undefined ? adapted : { ...adapted, StartAt: startAt };
    // Started elsewhere, its first states are unreachable, which the validator refuses; the states themselves
    // are the validated definition's.
    const stateMachine = new StateMachine(definition as never, { validationOptions: startAt === undefined ? { checkArn: false } : { noValidate: true } });
    const taskStates = Object.entries(definition.States)
      .filter(([, state]) => state.Type === 'Task')
      .map(([name]) => name);
    const taskResourceLocalHandlers = Object.fromEntries(taskStates.map((name) => [name, runTask]));
    const run: RunMachine = (input, name) =>
      stateMachine.run(input as never, {
        overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never },
        noThrowOnAbort: true,
        context: {
          Execution: { Id: `arn:aws:states:us-east-1:000000000000:execution:approval:${name}`, Name: name, Input: input, StartTime: new Date().toISOString() },
          StateMachine: { Id: 'arn:aws:states:us-east-1:000000000000:stateMachine:approval', Name: 'approval' },
          // Read once per Task when its Parameters are built: every waiting task gets its own token.
          get Task() {
            return { Token: randomBytes(32).toString('base64url') };
          },
        } as never,
      });
    return { run, taskStates };
  };

  /** A Task: plain ones call the handler; `.waitForTaskToken` ones call it, then wait for the token's callback. */
  async function runTask(input: unknown): Promise<unknown> {
    const parameters = input as { FunctionName?: string; Payload?: Record<string, unknown> };
    if (parameters.FunctionName === undefined) return options.handler(input);
    const payload = parameters.Payload ?? {};
    const token = String(payload.taskToken);
    const seconds = Number(payload.escalated ? payload.escalationTimeoutSeconds : payload.timeoutSeconds);
    // Registered before the handler runs: a decision may arrive as soon as the request is stored.
    const decision = waitForToken(token, seconds);
    // A decision (or timeout) may settle it while the handler still runs; it is awaited below.
    decision.catch(() => undefined);
    try {
      await options.handler(payload);
    } catch (error) {
      forget(token);
      throw error;
    }
    return decision;
  }

  function waitForToken(token: string, seconds: number): Promise<unknown> {
    let resolve!: (output: unknown) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Armed before the library's own timer for this task (same TimeoutSecondsPath), so it fires first and a
    // late decision finds the token gone, as SendTaskSuccess answers TaskTimedOut on AWS.
    const timer = setTimeout(() => {
      waiting.delete(token);
      reject(named('States.Timeout', `Task timed out after ${seconds} s`));
    }, seconds * 1000);
    waiting.set(token, { resolve, reject, timer });
    return promise;
  }

  function forget(token: string): Waiting | undefined {
    const entry = waiting.get(token);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    waiting.delete(token);
    return entry;
  }

  let stopping = false;

  async function execute(name: string, input: ApprovalRunInput, startAt?: string): Promise<void> {
    if (executions.has(name) && executions.get(name) !== 'stopped') return;
    executions.set(name, 'running');
    const { run } = await loadMachine(startAt);
    const execution = run(input, name);
    aborts.add(execution.abort);
    log(`[workflow] ${name} ${startAt ? `resumed at "${startAt}"` : 'started'}`);
    execution.result
      .then(() => {
        // An aborted run resolves too (noThrowOnAbort): it was stopped, not finished.
        const outcome = stopping ? 'stopped' : 'succeeded';
        executions.set(name, outcome);
        log(`[workflow] ${name} ${outcome}`);
      })
      .catch((error: unknown) => {
        executions.set(name, 'failed');
        log(`[workflow] ${name} failed: ${(error as Error).name}: ${(error as Error).message}`);
      })
      .finally(() => aborts.delete(execution.abort));
  }

  return {
    start: (name, input) => execute(name, input),
    resume: (name, state, step) => execute(name, state, RESUMABLE_STEPS[step]),
    async succeed(token, output) {
      const entry = forget(token);
      if (!entry) throw new TaskClosedError();
      entry.resolve(output);
    },
    async fail(token, error, cause) {
      const entry = forget(token);
      if (!entry) throw new TaskClosedError();
      entry.reject(named(error, cause));
    },
    executions: () => executions,
    stop() {
      stopping = true;
      for (const token of [...waiting.keys()]) forget(token);
      for (const abort of aborts) abort();
      aborts.clear();
    },
  };
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function installPromiseWithResolvers(): void {
  const promise = Promise as unknown as { withResolvers?: unknown };
  if (typeof promise.withResolvers === 'function') return;
  promise.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const created = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: created, resolve, reject };
  };
}
