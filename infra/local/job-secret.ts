/**
 * The secret of the local job endpoint (POST /_local/jobs/<name>). Being on this machine proves nothing: any web
 * page open in a browser here can POST to http://localhost:3000 (a form post is a "simple request", sent without
 * a preflight). So `npm start` makes a new random secret each time it starts and writes it where only this user
 * can read it, `.local/job-secret-<port>` (mode 0600, one per port, so runtimes on other ports keep theirs), and
 * `npm run job` reads it from there (it knows the port from PORT, as it always has) and sends it as a bearer
 * token. It lives in `.local/` whatever `--data-dir` says, beside the dev token key: it is a credential of this
 * checkout, not data.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const JOB_SECRET_DIR = '.local';

export const jobSecretFile = (port: number, dir = JOB_SECRET_DIR): string => join(dir, `job-secret-${port}`);

/** A new secret for the runtime on `port`, written 0600 (an older file is replaced, never reused or widened). */
export function createJobSecret(port: number, dir = JOB_SECRET_DIR): { secret: string; file: string; remove(): void } {
  const secret = randomBytes(32).toString('base64url');
  const file = jobSecretFile(port, dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  rmSync(file, { force: true });
  // `wx`: created here, so the mode applies (an existing file would keep its own).
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return {
    secret,
    file,
    remove() {
      // Only ours: a later start on the same port may have written its own meanwhile.
      if (readJobSecret(port, dir) === secret) rmSync(file, { force: true });
    },
  };
}

export function readJobSecret(port: number, dir = JOB_SECRET_DIR): string | undefined {
  try {
    return readFileSync(jobSecretFile(port, dir), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Compares in constant time (over digests, so a length difference tells nothing either). */
export function isJobSecret(presented: string | undefined, secret: string | undefined): boolean {
  if (presented === undefined || secret === undefined || secret === '') return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(secret));
}
