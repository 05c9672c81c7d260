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
}
