/**
 * The KPI rollup's Lambda, invoked by an EventBridge Scheduler schedule on the stage's `kpiRollupRate`
 * (infra/constructs/scheduled-job.ts); locally by the scheduler of `npm start` and by
 * `npm run job -- kpi-rollup` (`--recompute <period> --tenant <id>` rebuilds a period from the records).
 * The work is domain/analytics (rollup.ts, recompute.ts).
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { recomputePeriod, runKpiRollup, type RecomputeRun, type RollupRun } from '../../domain/analytics';
import type { Deps } from '../../domain/shared/ports';
import { backgroundHandler } from '../shared/background-handler';
import { JOB_METRICS } from '../shared/metric-names';
import { metrics as processMetrics, MetricUnit } from '../shared/metrics';
import { logger, runtimeDeps } from '../shared/runtime';
import { tracedRuntimeDeps } from '../shared/tracer';

/** A scheduled run has no input; an operator's recompute names the period and the tenant. */
export interface KpiRollupInput {
  recompute?: { period: string; tenantId: string };
}

export function createKpiRollupHandler(deps: () => Deps = runtimeDeps, metrics?: Metrics) {
  return async (input?: KpiRollupInput | null): Promise<RollupRun | RecomputeRun> => {
    if (input?.recompute) {
      const run = await recomputePeriod(deps(), input.recompute.tenantId, input.recompute.period);
      logger.info('kpi recompute run', { ...run });
      return run;
    }
    const run = await runKpiRollup(deps());
    logger.info('kpi rollup run', { ...run });
    metrics?.addMetric(JOB_METRICS.kpiEventsRolledUp, MetricUnit.Count, run.events);
    return run;
  };
}

export const handler = backgroundHandler<KpiRollupInput | null, RollupRun | RecomputeRun>(createKpiRollupHandler(tracedRuntimeDeps, processMetrics));
