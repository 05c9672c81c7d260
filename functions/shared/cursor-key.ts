/**
 * The key that signs list cursors (domain/shared/pagination.ts), the `cursorKey` port of every function's deps.
 *
 * Its own stage secret, CURSOR_SECRET (locally) or the Secrets Manager secret named by CURSOR_SECRET_ARN (on AWS),
 * not the approval-link key: every function that lists needs it, and none of them may be able to sign an approval
 * link (only `approvals` reads that key). The HMAC key is derived from the secret with HKDF-SHA256 under the label
 * below: a fixed 256-bit key whatever the secret's form, and one that differs from any other use of the same value
 * (a cursor's MAC can never pass for a link's signature, even where an operator set both secrets alike). A new
 * label version (`…/v2`) invalidates every cursor issued, as rotating the secret does: lists start again.
 *
 * Read lazily — when a request first reads or makes a cursor, not at cold start — and kept per process: a list
 * that fits one page never waits for Secrets Manager.
 */
import { hkdfSync } from 'node:crypto';
import { stageSecret } from './stage-secret';

export const CURSOR_KEY_LABEL = 'salesflow/list-cursor/v1';

let key: Promise<Uint8Array> | undefined;

export function cursorKey(): Promise<Uint8Array> {
  key ??= stageSecret('CURSOR_SECRET').then(deriveCursorKey, (error: unknown) => {
    key = undefined;
    throw error;
  });
  return key;
}

export function deriveCursorKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), CURSOR_KEY_LABEL, 32));
}
