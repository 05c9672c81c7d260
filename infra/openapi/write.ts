/**
 * Writes the OpenAPI document (./document.ts) as the JSON file the system function serves: into the system
 * function's bundle at CDK synth (infra/stacks/stateless-stack.ts), and, for the local server, to a file named in
 * OPENAPI_DOCUMENT_PATH (`npm start`, the tests, the bench).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildOpenApiDocument } from './document';

/** Writes the document to `file` (its folder is created if needed) and returns the path. */
export function writeOpenApiDocument(file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(buildOpenApiDocument())}\n`);
  return file;
}

/**
 * For a local server in this process: writes the document (to `file`, or to a fresh temporary folder) and names
 * it in OPENAPI_DOCUMENT_PATH, where the system function's handler reads it from on its first `GET /openapi.json`.
 */
export function provideOpenApiDocument(file = join(mkdtempSync(join(tmpdir(), 'salesflow-openapi-')), 'openapi.json')): string {
  process.env.OPENAPI_DOCUMENT_PATH = writeOpenApiDocument(file);
  return file;
}
