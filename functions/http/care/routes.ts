/**
 * The care function's route table. After-sales: the SLA policy, service tickets and their comments.
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import { SlaPolicy, SlaPolicyBody } from '../../../domain/care/schemas';
import { CARE_STAFF } from '../../../domain/shared/actor';
import { ADMINS, defineRoutes } from '../../shared/route';

export const careRoutes = defineRoutes('care', [
  {
    id: 'getSlaPolicy',
    method: 'GET',
    path: '/sla-policies',
    access: CARE_STAFF,
    tag: 'Customer care',
    summary: "The tenant's SLA policy: business calendar, first-response and resolution targets per priority, warning threshold, escalation",
    response: { status: 200, schema: SlaPolicy, description: 'The policy (the default until an admin saves one)' },
  },
  {
    id: 'putSlaPolicy',
    method: 'PUT',
    path: '/sla-policies',
    access: ADMINS,
    tag: 'Customer care',
    summary: 'Replace the SLA policy (tickets already opened keep the terms they were opened on)',
    request: { body: SlaPolicyBody },
    ifMatch: true,
    response: { status: 200, schema: SlaPolicy, description: 'The saved policy' },
    errors: [412, 413],
  },
]);
