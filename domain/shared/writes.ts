/**
 * Optimistic concurrency for read-check-write use cases: versions, If-Match, and re-running an attempt when a
 * concurrent writer won the race.
 */
import { ConflictError, PreconditionFailedError } from '../errors';
import type { TransactionOutcome } from './store-errors';

/** How often a write is re-applied on a fresh read when a concurrent writer got there first. */
const MAX_WRITE_ATTEMPTS = 5;

export interface WriteOptions {
  /** The version the client last saw (`If-Match`); a different current version answers 412. */
  ifMatch?: number;
  /** Managers and admins: keep a known duplicate (`allowDuplicate=true`). */
  allowDuplicate?: boolean;
}

/**
 * Thrown inside a write attempt when another writer changed the record first (or another transaction held one
 * of its items). Retried by retryOnConcurrentChange; should one ever escape, it is what it says: a 409.
 */
export class ConcurrentChange extends ConflictError {
  constructor() {
    super('The record is being changed by others right now; try again');
  }
}

/**
 * Re-runs read-check-write when a concurrent writer won the race — unless the client pinned a version with
 * If-Match, in which case the race is theirs to see (412).
 */
export async function retryOnConcurrentChange<T>(attempt: () => Promise<T>, options: WriteOptions): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentChange)) throw error;
      if (options.ifMatch !== undefined) {
        throw new PreconditionFailedError('The record was changed by someone else; read it again and retry');
      }
      if (tries >= MAX_WRITE_ATTEMPTS) {
        throw new ConflictError('The record is being changed by others right now; try again');
      }
      // A little apart, so writers that collided do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 15 * tries));
    }
  }
}

export function assertVersion(current: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new PreconditionFailedError(`If-Match names version ${ifMatch}, the current version is ${current}`, current);
  }
}

export function describeOutcome(outcome: TransactionOutcome): string {
  return outcome.data.map((item) => item.code ?? 'None').join(', ');
}

/** Drops undefined fields so responses carry only what is set. */
export function compact<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
