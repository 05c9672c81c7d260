/**
 * The document tells the truth: every HTTP response a suite receives is checked against what the generated
 * OpenAPI document (the one `GET /openapi.json` serves, built once per test process) says that operation answers.
 *
 * - the request is matched to its operation by method + path template (`/customers/{id}`), as API Gateway does;
 * - the status must be one the operation documents;
 * - the content type (its media type, parameters such as `charset` aside) must be one documented for that status;
 * - the body must validate against that media type's schema (JSON Schema 2020-12, `$ref`s into
 *   `#/components/schemas`, formats checked); a response documented without content must have no body (204);
 * - and every field of the body must be one the document declares: its object schemas are open (they allow
 *   fields they do not name), but a field the API sends and the document does not name is one no client can know
 *   of. The validator's copy of the document closes them (`unevaluatedProperties: false` on every object schema
 *   that says nothing about other fields), so an undeclared field fails like a wrong type.
 *
 * `call()` (./local-api.ts) runs every response through `expectDocumented`, so the e2e, matrix and bad-input suites
 * all go through this one check. A request that is deliberately not an API operation says so (`RouteExpectation`).
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from '../../infra/openapi/document';

/**
 * What a request is, to the check:
 * - `operation` (the default): an operation of the document; its response is validated;
 * - `none`: deliberately no route (an unknown path): it must match no operation, and the answer must be API
 *   Gateway's own 404 `{"message":"Not Found"}`;
 * - `any`: arbitrary paths (property tests with random ids, which may normalise to no route, e.g. `.`): validated
 *   as its operation when it matches one, else as `none`;
 * - `local`: a local convenience that API Gateway does not have (`/docs`, `/_local/jobs/…`): not checked, but it
 *   must match no operation (a real route cannot be exempted this way).
 */
export type RouteExpectation = 'operation' | 'none' | 'any' | 'local';

export interface ObservedResponse {
  method: string;
  /** The path as it was sent (after URL normalisation), with or without a query string. */
  path: string;
  status: number;
  contentType: string | null;
  /** The body as text, `''` when there is none. */
  text: string;
}

interface MediaTypeObject {
  schema?: unknown;
}
interface ResponseObject {
  description: string;
  content?: Record<string, MediaTypeObject>;
}
interface OperationObject {
  operationId: string;
  responses: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
}

interface Template {
  path: string;
  pattern: RegExp;
  params: number;
}

const DOCUMENT_ID = 'https://salesflow.test/openapi.json';

interface Contract {
  document: OpenApiDocument;
  templates: Template[];
  ajv: Ajv2020;
  validators: Map<string, ValidateFunction>;
}

let contract: Contract | undefined;

/**
 * The document as written to the file the system function serves (JSON), its object schemas closed (see
 * `closeObjects`: this copy only), and a validator over it.
 */
function load(): Contract {
  if (contract) return contract;
  const document = JSON.parse(JSON.stringify(buildOpenApiDocument())) as OpenApiDocument;
  const { components } = document as { components?: { schemas?: Record<string, unknown> } };
  for (const schema of Object.values(components?.schemas ?? {})) closeObjects(schema, false);
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      for (const response of Object.values(operation.responses)) {
        for (const media of Object.values(response.content ?? {})) closeObjects(media.schema, false);
      }
    }
  }
  // Strict: a keyword the validator does not know is an error, except the annotations OpenAPI 3.1 adds to JSON Schema.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
  addFormats(ajv);
  for (const keyword of ['example', 'discriminator', 'xml', 'externalDocs']) ajv.addKeyword(keyword);
  // The whole document, so that `#/components/schemas/…` resolves inside it; schemas are compiled on first use.
  // Resolving a pointer compiles the document's root as a schema too: its OpenAPI fields are no keywords to check.
  for (const field of Object.keys(document)) if (!ajv.getKeyword(field)) ajv.addKeyword(field);
  ajv.addSchema(document, DOCUMENT_ID);
  const templates = Object.keys(document.paths)
    .map((path) => ({
      path,
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      params: (path.match(/\{/g) ?? []).length,
    }))
    // API Gateway prefers the most specific route: literal segments over parameters.
    .sort((a, b) => a.params - b.params);
  contract = { document, templates, ajv, validators: new Map() };
  return contract;
}

/**
 * Marks every object schema under `schema` that names its properties and says nothing about others as closed. A
 * branch of an `allOf` stays open (its siblings' fields would be "other" to it); everything below it is closed.
 */
function closeObjects(schema: unknown, inAllOf: boolean): void {
  if (Array.isArray(schema)) {
    for (const item of schema) closeObjects(item, inAllOf);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Record<string, unknown>;
  const open = !('additionalProperties' in node || 'unevaluatedProperties' in node || 'patternProperties' in node);
  if (!inAllOf && open && typeof node.properties === 'object') node.unevaluatedProperties = false;
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword === 'properties' || keyword === '$defs') {
      for (const property of Object.values(value as Record<string, unknown>)) closeObjects(property, false);
    } else if (keyword === 'allOf') closeObjects(value, true);
    else if (['items', 'prefixItems', 'anyOf', 'oneOf', 'additionalProperties'].includes(keyword)) closeObjects(value, false);
  }
}

/** The operation a request reaches: `{ template, operation }`, or undefined when no route of the document matches. */
export function operationFor(method: string, path: string): { template: string; operation: OperationObject } | undefined {
  const { document, templates } = load();
  const pathname = path.split('?')[0] ?? path;
  const verb = method.toLowerCase();
  for (const template of templates) {
    const operation = document.paths[template.path]?.[verb];
    if (operation && template.pattern.test(pathname)) return { template: template.path, operation };
  }
  return undefined;
}

const pointer = (...segments: string[]) =>
  `#/${segments.map((segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;

/** Compiled once per schema: the error responses of every operation share one (`$ref` Problem). */
function validatorFor(template: string, method: string, status: string, mediaType: string, schema: unknown): ValidateFunction {
  const { ajv, validators } = load();
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}${pointer('paths', template, method, 'responses', status, 'content', mediaType, 'schema')}` });
    validators.set(key, validate);
  }
  return validate;
}

const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');
const mediaTypeOf = (contentType: string | null) => contentType?.split(';')[0]?.trim().toLowerCase();

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const where = error.instancePath === '' ? 'body' : `body${error.instancePath}`;
    const params = Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : '';
    return `${where} ${error.message ?? 'is invalid'}${params} (schema ${error.schemaPath})`;
  });
}

/** API Gateway's own answer to a request that matches no route of the API. */
function gatewayNotFoundProblems(observed: ObservedResponse): string[] {
  const problems: string[] = [];
  if (observed.status !== 404) problems.push(`status ${observed.status}: a request that matches no route is API Gateway's 404`);
  if (mediaTypeOf(observed.contentType) !== 'application/json') problems.push(`content type ${observed.contentType}, API Gateway answers application/json`);
  if (observed.text !== '{"message":"Not Found"}') problems.push(`body is not API Gateway's {"message":"Not Found"}`);
  return problems;
}

/** What is wrong with a response, measured against the document: `[]` when it is what the document says. */
export function undocumentedIn(observed: ObservedResponse, expectation: RouteExpectation = 'operation'): { route: string; problems: string[] } {
  const found = operationFor(observed.method, observed.path);
  const method = observed.method.toUpperCase();
  if (expectation === 'local' || expectation === 'none') {
    if (found) {
      return {
        route: `${method} ${found.template} (${found.operation.operationId})`,
        problems: [`marked '${expectation}', but it is an operation of the document`],
      };
    }
    return { route: `${method} ${observed.path} (no route)`, problems: expectation === 'local' ? [] : gatewayNotFoundProblems(observed) };
  }
  if (!found) {
    return {
      route: `${method} ${observed.path} (no route)`,
      problems: expectation === 'any' ? gatewayNotFoundProblems(observed) : ['no operation of the document matches this method and path'],
    };
  }

  const { template, operation } = found;
  const route = `${method} ${template} (${operation.operationId})`;
  const status = String(observed.status);
  const response = operation.responses[status] ?? operation.responses[`${status[0]}XX`] ?? operation.responses.default;
  if (!response) {
    return { route, problems: [`status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`] };
  }
  const content = response.content ?? {};
  const documented = Object.keys(content);
  if (documented.length === 0) {
    return { route, problems: observed.text === '' ? [] : [`status ${status} is documented without a body, but one came (${observed.contentType})`] };
  }
  const mediaType = mediaTypeOf(observed.contentType);
  const key = documented.find((candidate) => mediaTypeOf(candidate) === mediaType);
  if (!mediaType || key === undefined) {
    return { route, problems: [`content type ${observed.contentType ?? '(none)'} is not documented for ${status} (documented: ${documented.join(', ')})`] };
  }
  const schema = content[key]?.schema;
  if (schema === undefined) return { route, problems: [] };

  let body: unknown = observed.text;
  if (isJson(key)) {
    try {
      body = JSON.parse(observed.text);
    } catch {
      return { route, problems: [`${key} body is not JSON: ${observed.text.slice(0, 200)}`] };
    }
  }
  const validate = validatorFor(template, observed.method.toLowerCase(), status, key, schema);
  return { route, problems: validate(body) ? [] : formatErrors(validate.errors) };
}

/** Fails (throws) with the route, the status and every schema error when a response is not what the document says. */
export function expectDocumented(observed: ObservedResponse, expectation: RouteExpectation = 'operation'): void {
  const { route, problems } = undocumentedIn(observed, expectation);
  if (problems.length === 0) return;
  const body = observed.text.length > 600 ? `${observed.text.slice(0, 600)}…` : observed.text;
  throw new Error(
    [
      `The OpenAPI document does not describe this response: ${route} → ${observed.status} ${observed.contentType ?? '(no content type)'}`,
      `  request: ${observed.method.toUpperCase()} ${observed.path}`,
      ...problems.map((problem) => `  - ${problem}`),
      `  body: ${body === '' ? '(empty)' : body}`,
    ].join('\n'),
  );
}
