/**
 * The wrapper of every Lambda that is not behind the API — the outbox relay, the reminder job, the approval
 * workflow's tasks: a middy chain of
 * Powertools logger (the invocation's context on every line) → Tracer (a `## handler` subsegment, ColdStart and
 * Service annotations, the error if it fails; the response is left out of the trace: it carries records) →
 * metrics (the ColdStart count on the first invocation; what the invocation counted, written after it, also when
 * it fails) → the work.
 *
 * The result is a plain function of (event, context?): the local runtime and the tests call these handlers
 * without a Lambda context.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './logger';
import { countColdStart, flushMetrics, metrics } from './metrics';
import { tracer } from './tracer';

export type BackgroundHandler<E, R> = (event: E, context?: Context) => Promise<R>;

/** `target`: where the work counts (the process's metrics; a test's own instance). */
export function backgroundHandler<E, R>(work: (event: E) => Promise<R>, target: Metrics = metrics): BackgroundHandler<E, R> {
  const chain = middy<E, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use({
      before: (request) => countColdStart(request.context, target),
      after: () => flushMetrics(target),
      onError: () => flushMetrics(target),
    })
    .handler((event) => work(event));
  return (event, context) => chain(event, context ?? ({} as Context));
}
