/** Liveness and the API's own description. Public: no token. */
import { ok } from '../shared/http';
import { createHttpHandler } from '../shared/http-handler';
import { buildOpenApiDocument } from '../shared/openapi';

let openApiDocument: ReturnType<typeof buildOpenApiDocument> | undefined;

export const handler = createHttpHandler('system', {
  getHealth: async () => ok({ status: 'ok', service: 'salesflow', stage: process.env.STAGE ?? 'local' }),
  getOpenApi: async ({ event }) => {
    const scheme = event.headers?.['x-forwarded-proto'] ?? 'https';
    openApiDocument ??= buildOpenApiDocument({ serverUrl: `${scheme}://${event.requestContext.domainName}` });
    return ok(openApiDocument);
  },
});
