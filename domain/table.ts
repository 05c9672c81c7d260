/**
 * The single table: its key attributes and indexes. CDK (infra/constructs/sales-table.ts) and the local
 * runtime (infra/local/create-table.ts) both build the table from this one definition, and the ElectroDB
 * entities map their access patterns onto these generic names.
 *
 * Keys are written by ElectroDB: `$salesflow#tenantid_<tenant>#…`. The tenant is the first composite of every
 * partition key of every entity, so no query can cross tenants.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const GLOBAL_INDEXES = [
  { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
] as const;

/** Epoch seconds; items carrying it (idempotency records) are removed by DynamoDB TTL. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** The ElectroDB service name: the fixed prefix of every key. */
export const SERVICE_NAME = 'salesflow';
