/**
 * Signed one-time links for deciding by email. A token is `<payload>.<signature>`, both base64url: the payload
 * binds the approval request, the contract revision, the tenant, the approver (and their roles when it was
 * made), the decision and an expiry; the signature is HMAC-SHA256 over the payload with the stage's secret.
 * "One time" is the request's: once decided (by link or API), every link of it is spent. A link lives at most
 * MAX_LINK_LIFETIME_SECONDS from when it was made (`iat`), and an admin can revoke a user's links made until now.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ROLES } from '../shared/actor';

const linkPayloadSchema = () =>
  z.object({
    t: z.string(),
    r: z.string(),
    c: z.string(),
    v: z.number().int(),
    u: z.string(),
    g: z.array(z.enum(ROLES)),
    d: z.enum(['approve', 'reject']),
    exp: z.number().int(),
    /** When it was made (seconds): a revocation stops the links made until then. Links made before it existed have none. */
    iat: z.number().int().optional(),
  });

/** 72 hours: a link in a mailbox outlives neither a step (it ends when the step is due) nor three days. */
export const MAX_LINK_LIFETIME_SECONDS = 72 * 3600;
export type LinkPayload = z.infer<ReturnType<typeof linkPayloadSchema>>;
/** Built on first use: what imports the approvals context without verifying links (the reminder job) bundles no zod. */
let linkPayload: ReturnType<typeof linkPayloadSchema> | undefined;

export function signLink(payload: LinkPayload, secret: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${signature(body, secret)}`;
}

/** The payload of a genuine, unexpired token; undefined for anything tampered with, malformed or expired. */
export function verifyLink(token: string, secret: string, now: Date): { payload?: LinkPayload; problem?: 'invalid' | 'expired' } {
  const [body, given] = token.split('.');
  if (!body || !given) return { problem: 'invalid' };
  const expected = Buffer.from(signature(body, secret));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { problem: 'invalid' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { problem: 'invalid' };
  }
  const result = (linkPayload ??= linkPayloadSchema()).safeParse(parsed);
  if (!result.success) return { problem: 'invalid' };
  // A link made before links carried their issue time (and the 72-hour cap) counts as expired.
  if (result.data.exp * 1000 <= now.getTime() || result.data.iat === undefined) return { problem: 'expired' };
  return { payload: result.data };
}

function signature(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}
