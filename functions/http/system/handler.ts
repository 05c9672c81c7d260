/**
 * Liveness and the API's own description. Public: no token.
 *
 * The OpenAPI document is generated from the route table at build time (infra/openapi), not here: this function
 * imports no schema and no zod (and, keeping no data, no DynamoDB client either). On AWS it is `openapi.json` beside this module in the bundle (the CDK stack copies
 * it in); locally `npm start` and the tests write it and name it in OPENAPI_DOCUMENT_PATH.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ok, type HttpEvent } from '../../shared/http';
import { createHttpChain } from '../../shared/http-chain';
import { OPENAPI_FILE, systemRoutes } from './routes';

type OpenApiDocument = Record<string, unknown>;
let openApiDocument: Promise<OpenApiDocument> | undefined;

/** Read and parsed on the first request only (most cold starts never serve it). A failed read is tried again. */
function loadOpenApiDocument(): Promise<OpenApiDocument> {
  const file = process.env.OPENAPI_DOCUMENT_PATH || join(dirname(fileURLToPath(import.meta.url)), OPENAPI_FILE);
  openApiDocument ??= readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as OpenApiDocument,
    (error: unknown) => {
      openApiDocument = undefined;
      throw error;
    },
  );
  return openApiDocument;
}

/** Where the caller reached this API, as the document's server. */
function serverUrl(event: HttpEvent): string {
  const scheme = event.headers?.['x-forwarded-proto'] ?? 'https';
  return `${scheme}://${event.requestContext.domainName}`;
}

/** No data, so no ports and no DynamoDB client or ElectroDB in this bundle: the chain without them. */
export const handler = createHttpChain(
  systemRoutes,
  {
    getHealth: async () => ok({ status: 'ok', service: 'salesflow', stage: process.env.STAGE ?? 'local' }),
    getOpenApi: async ({ event }) => ok({ ...(await loadOpenApiDocument()), servers: [{ url: serverUrl(event) }] }),
  },
  { deps: () => undefined },
);
