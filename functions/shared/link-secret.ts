/**
 * The HMAC key of approval links: APPROVAL_LINK_SECRET locally, or the Secrets Manager secret named by
 * APPROVAL_LINK_SECRET_ARN on AWS, read once per cold start.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let secret: Promise<string> | undefined;

export function approvalLinkSecret(): Promise<string> {
  secret ??= load().catch((error: unknown) => {
    secret = undefined;
    throw error;
  });
  return secret;
}

async function load(): Promise<string> {
  if (process.env.APPROVAL_LINK_SECRET) return process.env.APPROVAL_LINK_SECRET;
  const secretId = process.env.APPROVAL_LINK_SECRET_ARN;
  if (!secretId) throw new Error('Neither APPROVAL_LINK_SECRET nor APPROVAL_LINK_SECRET_ARN is set');
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`Secret ${secretId} has no string value`);
  return SecretString;
}
