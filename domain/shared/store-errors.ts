/** Reading the store's failures without importing the AWS SDK into the domain: by error name along `cause`. */
export function isConditionFailure(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'ConditionalCheckFailedException') return true;
  }
  return false;
}

/** The result ElectroDB gives for a write transaction: canceled or not, and why, per item. */
export interface TransactionOutcome {
  canceled: boolean;
  data: ReadonlyArray<{ rejected: boolean; code?: string }>;
}

export const rejectedAt = (outcome: TransactionOutcome, index: number): boolean =>
  outcome.canceled && outcome.data[index]?.code === 'ConditionalCheckFailed';

/** Another transaction touched the same items at the same time: retrying is safe. */
export const conflictedWithAnotherTransaction = (outcome: TransactionOutcome): boolean =>
  outcome.canceled && outcome.data.some((item) => item.code === 'TransactionConflict');
