import { describe, expect, it } from 'vitest';
import { routes, type RouteDefinition } from '../../functions/http/routes';
import { bodyIsOptional } from '../../functions/shared/route';
import { buildOpenApiDocument } from '../../infra/openapi/document';

const document = buildOpenApiDocument() as unknown as {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; security?: unknown; 'x-roles': string[]; responses: Record<string, unknown>; parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>>;
  components: { schemas: Record<string, unknown> };
};

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it.each((routes as readonly RouteDefinition[]).map((route) => [route.id, route] as const))('documents %s', (_, route) => {
    const operation = document.paths[route.path]?.[route.method.toLowerCase()];
    expect(operation?.operationId).toBe(route.id);
    expect(operation?.responses[String(route.response.status)]).toBeDefined();
    expect(operation?.responses['500']).toBeDefined();
    if (route.access === 'public') {
      expect(operation?.security).toBeUndefined();
    } else {
      expect(operation?.['x-roles']).toEqual([...route.access]);
      expect(operation?.responses['401']).toBeDefined();
      expect(operation?.responses['403']).toBeDefined();
    }
    for (const status of route.errors ?? []) expect(operation?.responses[String(status)]).toBeDefined();
    if (route.request?.body) expect(operation?.requestBody).toBeDefined();
    // An action whose body has no required field may be sent without one.
    if (route.request?.body) expect(operation?.requestBody).toMatchObject({ required: !bodyIsOptional(route) });
    if (route.ifMatch) expect(operation?.parameters?.some((p) => p.in === 'header' && p.name === 'If-Match')).toBe(true);
    if (route.idempotent) expect(operation?.parameters?.some((p) => p.name === 'Idempotency-Key')).toBe(true);
  });

  it('publishes the shared schemas as components', () => {
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Customer', 'Contact', 'Activity', 'Problem', 'CustomerPage']));
  });
});
