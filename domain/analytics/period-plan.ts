/** A period's plan — its targets and forecast calls — in one query (they share the period's partition). */
import type { Deps } from '../shared/ports';
import { callsFromItems, type ForecastCall } from './forecasts';
import type { TargetView } from './schemas';
import { toTargetView } from './targets';

export async function periodPlanOf(deps: Deps, tenantId: string, periodId: string): Promise<{ targets: TargetView[]; calls: ForecastCall[] }> {
  const { data } = await deps.db.collections.periodPlan({ tenantId, periodId }).go({ pages: 'all' });
  return { targets: data.target.map(toTargetView), calls: callsFromItems(data.forecastCall) };
}
