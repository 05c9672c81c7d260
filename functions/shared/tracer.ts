/**
 * Powertools Tracer (X-Ray) for the functions whose cold start nobody waits for: the outbox relay, the reminder
 * job and the approval workflow's tasks (./background-handler.ts). Each of their invocations gets a handler
 * subsegment (annotated ColdStart and Service, errors attached) and a subsegment per AWS SDK call of the clients
 * captured with it; the workflow tasks' traces join the state machine's (Step Functions tracing is on).
 *
 * The HTTP functions do not import this: the Tracer brings in aws-xray-sdk-core, measured at +122 KB and
 * +44–84 ms of cold init in an HTTP function's chain (bench/FINDINGS.md, "Observability"); there Lambda's own
 * active tracing records each sampled invocation (initialization, invocation, errors), and the access logs and the
 * dashboard carry latency per route.
 *
 * Off Lambda (no AWS_EXECUTION_ENV: npm start, tests, bench) the Tracer turns itself off, and
 * POWERTOOLS_TRACE_ENABLED=false does so explicitly; captured clients are then returned untouched.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Deps } from '../../domain/shared/ports';
import { SERVICE_NAME } from './metric-names';
import { runtimeDeps } from './runtime';

export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
  // The SDK clients are captured one by one; patching node:http(s) as well would trace each AWS call twice.
  captureHTTPsRequests: false,
});

/** This process's deps (./runtime.ts) with their DynamoDB client captured: a subsegment per request. */
export function tracedRuntimeDeps(): Deps {
  return runtimeDeps({ instrument: (client: DynamoDBClient) => tracer.captureAWSv3Client(client) });
}
