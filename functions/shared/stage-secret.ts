/**
 * The stage's secrets, by name: `<NAME>` in the environment locally (`npm start`, the tests), or the Secrets
 * Manager secret whose ARN is in `<NAME>_ARN` on AWS. Read on first use, once per process, and kept; a failed
 * read is tried again on the next use. The Secrets Manager client is imported only when a secret is read from
 * AWS, so a cold start that needs no secret does not load it.
 */
export type StageSecretName = 'APPROVAL_LINK_SECRET' | 'CURSOR_SECRET';

const loaded = new Map<StageSecretName, Promise<string>>();

export function stageSecret(name: StageSecretName): Promise<string> {
  let secret = loaded.get(name);
  if (!secret) {
    secret = load(name).catch((error: unknown) => {
      loaded.delete(name);
      throw error;
    });
    loaded.set(name, secret);
  }
  return secret;
}

async function load(name: StageSecretName): Promise<string> {
  const value = process.env[name];
  if (value) return value;
  const secretId = process.env[`${name}_ARN`];
  if (!secretId) throw new Error(`Neither ${name} nor ${name}_ARN is set`);
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`Secret ${secretId} has no string value`);
  return SecretString;
}
