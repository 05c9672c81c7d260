/** Pure rules of a contract's life after approval. No I/O. */
import { ConflictError, UnprocessableError } from '../errors';

export type ContractStatus = 'draft' | 'pending_approval' | 'approved' | 'rejected' | 'signed' | 'active' | 'expired' | 'terminated' | 'renewed';

/**
 * Signing: only an approved contract, signed no later than now. It is active at once when its start date has
 * come, else signed until then.
 */
export function planSigning(contract: { status: ContractStatus; startDate: string }, signedAt: string, now: Date): ContractStatus {
  if (contract.status !== 'approved') {
    throw new ConflictError(`Only an approved contract is signed; this one is ${contract.status}`, { contractStatus: contract.status });
  }
  if (Date.parse(signedAt) > now.getTime() + 5 * 60_000) {
    throw new UnprocessableError('A contract cannot be signed in the future', [{ path: 'body.signedAt', message: 'Must not be in the future' }]);
  }
  return activeOn(contract.startDate, now) ? 'active' : 'signed';
}

export function activeOn(startDate: string, now: Date): boolean {
  return startDate <= now.toISOString().slice(0, 10);
}

/** A signed contract whose start date has come is active (recorded by the schedule or the next read). */
export function isDueToActivate(contract: { status: ContractStatus; startDate: string }, now: Date): boolean {
  return contract.status === 'signed' && activeOn(contract.startDate, now);
}
