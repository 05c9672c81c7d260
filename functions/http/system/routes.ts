/**
 * The system function's route table. Liveness and the API's own description; both public (no token).
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import { defineRoutes } from '../../shared/route';

/** The OpenAPI document's file name in this function's bundle (the CDK stack copies it in under this name). */
export const OPENAPI_FILE = 'openapi.json';

export const systemRoutes = defineRoutes('system', [
  {
    id: 'getHealth',
    method: 'GET',
    path: '/health',
    access: 'public',
    tag: 'System',
    summary: 'Liveness check',
    response: { status: 200, description: 'The service is up' },
  },
  {
    id: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    tag: 'System',
    summary: 'This OpenAPI 3.1 document',
    response: { status: 200, description: 'The OpenAPI document' },
  },
]);
