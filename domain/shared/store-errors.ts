/** Reading the store's failures without importing the AWS SDK into the domain: by error name along `cause`. */
export function isConditionFailure(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'ConditionalCheckFailedException') return true;
  }
  return false;
}
