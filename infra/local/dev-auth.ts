import { randomBytes } from 'node:crypto';
/**
 * Local stand-in for Cognito + API Gateway's JWT authorizer: tokens signed with a dev key (ES256) kept in a
 * git-ignored folder, carrying the same claims a Cognito ID token carries (`sub`, `custom:tenantId`,
 * `cognito:groups`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import type { Role } from '../../domain/shared/actor';

export const LOCAL_ISSUER = 'salesflow-local';
export const LOCAL_AUDIENCE = 'salesflow-local-api';
export const DEFAULT_KEY_FILE = '.local/dev-jwt-key.json';

export interface DevKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export async function generateDevKeys(): Promise<DevKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicKey };
}

/** The key pair of this checkout, created on first use so `npm run token` and `npm start` agree. */
export async function loadOrCreateDevKeys(file = DEFAULT_KEY_FILE): Promise<DevKeys> {
  if (existsSync(file)) {
    const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    const { d: _private, ...publicJwk } = jwk;
    return {
      privateKey: (await importJWK(jwk, 'ES256')) as CryptoKey,
      publicKey: (await importJWK(publicJwk, 'ES256')) as CryptoKey,
    };
  }
  const keys = await generateDevKeys();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(await exportJWK(keys.privateKey)), { mode: 0o600 });
  return keys;
}

export interface TokenRequest {
  tenant: string;
  roles: readonly Role[];
  sub: string;
  email?: string;
  ttlSeconds?: number;
}

export async function signDevToken(keys: DevKeys, request: TokenRequest): Promise<string> {
  return new SignJWT({
    'custom:tenantId': request.tenant,
    'cognito:groups': [...request.roles],
    token_use: 'id',
    ...(request.email !== undefined && { email: request.email }),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 12 * 3600}s`)
    .sign(keys.privateKey);
}

/** The claims API Gateway would hand to Lambda, or undefined for a token it would reject. */
export async function verifyDevToken(keys: DevKeys, token: string): Promise<Record<string, string> | undefined> {
  try {
    const { payload } = await jwtVerify(token, keys.publicKey, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE });
    return flattenClaims(payload);
  } catch {
    return undefined;
  }
}

/** HTTP APIs pass every claim to Lambda as a string; arrays become `[a b]`. */
export function flattenClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]),
  );
}

/** The local HMAC key of approval links (.local/approval-link-secret), made on first use. */
export function loadOrCreateLinkSecret(file = '.local/approval-link-secret'): string {
  return loadOrCreateSecret(file);
}

/** The local key list cursors are signed with (.local/cursor-secret), made on first use: cursors survive a restart. */
export function loadOrCreateCursorSecret(file = '.local/cursor-secret'): string {
  return loadOrCreateSecret(file);
}

function loadOrCreateSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
