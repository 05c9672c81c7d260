import { Entity, Service } from 'electrodb';
import { forecastCallSchema, kpiAggregateSchema, kpiContributionSchema, kpiTenantSchema, pipelineSnapshotSchema, reviewSchema, targetSchema } from './analytics/model';
import { approvalLinkRevocationSchema, approvalPolicySchema, approvalRequestSchema } from './approvals/model';
import { assignmentCursorSchema, assignmentRulesSchema } from './assignment/model';
import { slaPolicySchema } from './care/model';
import { auditEntrySchema } from './audit/model';
import { productSchema } from './catalog/model';
import { contractSchema, contractTemplateSchema } from './contracts/model';
import { teamMembershipSchema, teamSchema } from './directory/model';
import { domainEventSchema } from './events/model';
import { activitySchema, contactSchema, customerSchema, opportunityActivitySchema } from './customers/model';
import { idempotencyRecordSchema } from './idempotency/model';
import { notificationReadSchema, notificationSchema } from './notifications/model';
import { closeDateChangeSchema, opportunitySchema, pipelineSchema, stageChangeSchema } from './pipeline/model';
import { quoteSchema } from './quotes/model';
import { repProfileSchema } from './reps/model';
import { timerSchema } from './scheduling/model';
import { taskSchema } from './tasks/model';
import { exchangeRateSchema, tenantSettingsSchema } from './settings/model';
import { uniqueValueSchema } from './shared/unique-value.model';

/** The document client ElectroDB drives (a `DynamoDBDocumentClient`, built by the caller). */
export type DocumentClientLike = ConstructorParameters<typeof Service>[1] extends infer C
  ? C extends { client?: infer Client }
    ? Client
    : never
  : never;

/** Every entity of the single table, joined in one ElectroDB service so transactions can span them. */
export function createSalesDb(client: DocumentClientLike, table: string) {
  return new Service(
    {
      customer: new Entity(customerSchema),
      contact: new Entity(contactSchema),
      activity: new Entity(activitySchema),
      opportunityActivity: new Entity(opportunityActivitySchema),
      uniqueValue: new Entity(uniqueValueSchema),
      auditEntry: new Entity(auditEntrySchema),
      idempotencyRecord: new Entity(idempotencyRecordSchema),
      domainEvent: new Entity(domainEventSchema),
      tenantSettings: new Entity(tenantSettingsSchema),
      exchangeRate: new Entity(exchangeRateSchema),
      pipeline: new Entity(pipelineSchema),
      opportunity: new Entity(opportunitySchema),
      stageChange: new Entity(stageChangeSchema),
      closeDateChange: new Entity(closeDateChangeSchema),
      product: new Entity(productSchema),
      quote: new Entity(quoteSchema),
      contractTemplate: new Entity(contractTemplateSchema),
      contract: new Entity(contractSchema),
      approvalPolicy: new Entity(approvalPolicySchema),
      approvalRequest: new Entity(approvalRequestSchema),
      approvalLinkRevocation: new Entity(approvalLinkRevocationSchema),
      notification: new Entity(notificationSchema),
      notificationRead: new Entity(notificationReadSchema),
      task: new Entity(taskSchema),
      timer: new Entity(timerSchema),
      repProfile: new Entity(repProfileSchema),
      assignmentRules: new Entity(assignmentRulesSchema),
      assignmentCursor: new Entity(assignmentCursorSchema),
      team: new Entity(teamSchema),
      teamMembership: new Entity(teamMembershipSchema),
      target: new Entity(targetSchema),
      forecastCall: new Entity(forecastCallSchema),
      kpiTenant: new Entity(kpiTenantSchema),
      kpiAggregate: new Entity(kpiAggregateSchema),
      kpiContribution: new Entity(kpiContributionSchema),
      pipelineSnapshot: new Entity(pipelineSnapshotSchema),
      review: new Entity(reviewSchema),
      slaPolicy: new Entity(slaPolicySchema),
    },
    { client, table },
  );
}

export type SalesDb = ReturnType<typeof createSalesDb>;

/** The entities a write transaction's callback receives, and one write of it. */
export type TransactionEntities = Parameters<Parameters<SalesDb['transaction']['write']>[0]>[0];
export type TransactionCommit = ReturnType<Parameters<SalesDb['transaction']['write']>[0]>[number];
