/**
 * Which domain events are business metrics, and which. The outbox relay sees every domain event once it is
 * committed, so it counts them here rather than the use cases in domain/ (which would then depend on Powertools):
 * the event types are the domain's own vocabulary (domain/pipeline/stage-moves.ts, domain/contracts/submission.ts,
 * domain/approvals/workflow.ts, domain/reminders/reminder-job.ts).
 */
import { BUSINESS_METRICS } from '../shared/metric-names';

export type BusinessMetric = (typeof BUSINESS_METRICS)[keyof typeof BUSINESS_METRICS];

const BY_TYPE: Partial<Record<string, BusinessMetric>> = {
  'opportunity.won': BUSINESS_METRICS.opportunitiesWon,
  'opportunity.lost': BUSINESS_METRICS.opportunitiesLost,
  'contract.submitted': BUSINESS_METRICS.contractsSubmitted,
  'contract.approved': BUSINESS_METRICS.contractsApproved,
  'task.due_soon': BUSINESS_METRICS.remindersSent,
  'task.overdue': BUSINESS_METRICS.remindersSent,
  'task.escalated': BUSINESS_METRICS.remindersSent,
  'approval.reminder': BUSINESS_METRICS.remindersSent,
  'deal.stale': BUSINESS_METRICS.staleDealFollowUps,
};

/** `contract.rejected` says why in `data.reason` (domain/contracts/model.ts: the rejection reasons). */
const REJECTED_BY_REASON: Partial<Record<string, BusinessMetric>> = {
  rejected: BUSINESS_METRICS.contractsRejected,
  approval_timed_out: BUSINESS_METRICS.contractsTimedOut,
  approval_failed: BUSINESS_METRICS.contractApprovalsFailed,
};

/** The business metric an event counts towards, if any. */
export function businessMetricOf(type: string, data: Record<string, unknown> | undefined): BusinessMetric | undefined {
  if (type === 'contract.rejected') {
    const reason = data?.reason;
    return typeof reason === 'string' ? REJECTED_BY_REASON[reason] : undefined;
  }
  return BY_TYPE[type];
}
