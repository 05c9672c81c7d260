/**
 * Powertools Metrics of this process (CloudWatch Embedded Metric Format: one JSON log line per flush, which
 * CloudWatch turns into metrics; the names are in ./metric-names.ts). Built once per cold start.
 *
 * Namespace from POWERTOOLS_METRICS_NAMESPACE (CDK sets `Salesflow`), dimensions `service`
 * (POWERTOOLS_SERVICE_NAME) and `stage` (STAGE) on every metric — and nothing per tenant or record (see
 * ./metric-names.ts). Off Lambda (npm start, tests, bench) POWERTOOLS_METRICS_DISABLED=true keeps the lines out of
 * the output; the metrics are still counted, only not written.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metric-names';

export { MetricUnit };

export function createMetrics(env: NodeJS.ProcessEnv = process.env): Metrics {
  return new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    serviceName: env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
    defaultDimensions: { stage: env.STAGE || 'local' },
    // Its own warnings (an invalid dimension, say) as structured log lines, like everything else.
    logger,
  });
}

export const metrics = createMetrics();

/**
 * The `ColdStart` count (dimension `function_name`), written at once on the first invocation of this execution
 * environment and never again: the functions that write no other metric call this instead of flushing per
 * invocation (a flush with nothing stored logs a warning every time).
 */
export function countColdStart(context: { functionName?: string } | undefined, target: Metrics = metrics): void {
  target.captureColdStartMetric(context?.functionName);
}

/** Writes what this invocation counted, if anything (after it, also when it failed). */
export function flushMetrics(target: Metrics = metrics): void {
  if (target.hasStoredMetrics()) target.publishStoredMetrics();
}
