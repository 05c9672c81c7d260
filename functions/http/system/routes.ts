/**
 * The system function's route table. Liveness and the API's own description; both public (no token).
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import { defineRoutes, type JsonSchema } from '../../shared/route';

/** The OpenAPI document's file name in this function's bundle (the CDK stack copies it in under this name). */
export const OPENAPI_FILE = 'openapi.json';

/** What `GET /health` answers. Plain JSON Schema: this function bundles no zod. */
const Health = {
  type: 'object',
  required: ['status', 'service', 'stage'],
  properties: {
    status: { const: 'ok' },
    service: { const: 'salesflow' },
    stage: { type: 'string', description: 'The deployment stage (dev, staging, prod; `local` on `npm start`)' },
  },
  additionalProperties: false,
} as const satisfies JsonSchema;

/** What `GET /openapi.json` answers: an OpenAPI 3.1 document (this one), its `servers` where the caller reached the API. */
const OpenApiDocument = {
  type: 'object',
  description: 'An OpenAPI 3.1 document: this one, with `servers` set to where the caller reached the API',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.' },
    info: { type: 'object' },
    servers: { type: 'array', items: { type: 'object' } },
    paths: { type: 'object' },
  },
  // The other members of an OpenAPI document (components, tags, security…), as the OpenAPI specification defines them.
  additionalProperties: true,
} as const satisfies JsonSchema;

export const systemRoutes = defineRoutes('system', [
  {
    id: 'getHealth',
    method: 'GET',
    path: '/health',
    access: 'public',
    tag: 'System',
    summary: 'Liveness check',
    response: { status: 200, schema: Health, description: 'The service is up' },
  },
  {
    id: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    tag: 'System',
    summary: 'This OpenAPI 3.1 document',
    response: { status: 200, schema: OpenApiDocument, description: 'The OpenAPI document' },
  },
]);
