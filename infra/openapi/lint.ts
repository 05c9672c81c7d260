/**
 * `npm run lint:openapi`: the generated OpenAPI document, written to a temporary file (indented, so that findings
 * name a line), linted by Redocly CLI with its recommended rules (`redocly.yaml`). Errors fail; warnings are printed.
 *
 * Offline, as CI runs it: no usage data (REDOCLY_TELEMETRY=off, and `telemetry: off` in redocly.yaml) and no
 * update check against the registry (REDOCLY_SUPPRESS_UPDATE_NOTICE); the recommended rules ship with the CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from './document';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin/cli.js');

const folder = mkdtempSync(join(tmpdir(), 'salesflow-openapi-lint-'));
try {
  const file = join(folder, 'openapi.json');
  writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  const run = spawnSync(process.execPath, [cli, 'lint', '--config', join(root, 'redocly.yaml'), '--format', 'stylish', file], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(folder, { recursive: true, force: true });
}
