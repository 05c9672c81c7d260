/**
 * Use cases of customer information management: customers, their contacts and their communication history.
 * Every change is one DynamoDB transaction: the record, its unique-value guards and its audit entry commit
 * together or not at all. Writes are conditional on the version read, so concurrent writers never lose an
 * update: with `If-Match` a stale version answers 412, without it the change is re-applied on the fresh record.
 */
export * from './customers';
export * from './contacts';
export * from './activities';
export type { WriteOptions } from '../shared/writes';
