import type { SalesDb } from '../db';

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new time-ordered unique id (ULID). */
  next(): string;
}

/** Everything a use case needs from the outside world, handed in by the caller. */
export interface Deps {
  db: SalesDb;
  clock: Clock;
  ids: IdGenerator;
  /**
   * The stage's key that signs list cursors (HMAC-SHA256, domain/shared/pagination.ts). Asked for only when a
   * cursor is read or made; the provider loads it once per process and keeps it.
   */
  cursorKey: () => Promise<Uint8Array>;
}
