/**
 * Deps on DynamoDB Local whose next write transactions go wrong as a test scripts it, to drive every outcome of
 * the one write path (domain/shared/versioned-write.ts) deterministically: a concurrent writer commits first, or
 * the store cancels the transaction with the reasons given, item by item (found by entity, as the use case named
 * them). Everything else reaches DynamoDB Local unchanged.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import type { Deps } from '../../domain/shared/ports';
import { createDeps, createDynamoClient } from '../../functions/shared/runtime';

type Fault = (transactItems: ReadonlyArray<Record<string, unknown>>) => Promise<void>;

export interface FaultyStore {
  /** Use cases run on these deps see the scripted faults. */
  deps: Deps;
  /** Deps on the same table without faults: the other writer. */
  plain: Deps;
  /** Runs `change` (e.g. the other writer's change) just before the next transaction is sent. */
  beforeNextTransaction(change: () => Promise<unknown>): void;
  /** The next `times` transactions are cancelled: `code` for the items of `entity`, `None` for the others. */
  cancelNextTransactions(times: number, entity: string, code: string): void;
  /** How many write transactions these deps sent so far. */
  transactions(): number;
}

export async function faultyStore(tableName: string): Promise<FaultyStore> {
  const endpoint = inject('dynamoEndpoint');
  const client: DynamoDBClient = createDynamoClient({ endpoint });
  const faults: Fault[] = [];
  let sent = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        sent += 1;
        const fault = faults.shift();
        if (fault) await fault(((args.input as { TransactItems?: Array<Record<string, unknown>> }).TransactItems ?? []));
      }
      return next(args);
    },
    { step: 'initialize', name: 'storeFaults' },
  );
  return {
    deps: createDeps({ tableName, client }),
    plain: createDeps({ tableName, endpoint }),
    beforeNextTransaction(change) {
      faults.push(async () => {
        await change();
      });
    },
    cancelNextTransactions(times, entity, code) {
      for (let index = 0; index < times; index += 1) {
        faults.push(async (items) => {
          const reasons = items.map((item) => ({ Code: entityOf(item) === entity.toLowerCase() ? code : 'None' }));
          if (!reasons.some((reason) => reason.Code !== 'None')) throw new Error(`No ${entity} item in the transaction: ${items.map(entityOf).join(', ')}`);
          throw Object.assign(new Error(`Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`), {
            name: 'TransactionCanceledException',
            CancellationReasons: reasons,
          });
        });
      }
    },
    transactions: () => sent,
  };
}

/**
 * The ElectroDB entity an item of a transaction writes, lower case: its `__edb_e__`, or the `$<entity>_<version>`
 * prefix of its sort key (ElectroDB writes keys in lower case).
 */
export function entityOf(item: Record<string, unknown>): string {
  const operation = Object.values(item)[0] as { Item?: Record<string, unknown>; Key?: Record<string, unknown> };
  const plain = (value: unknown) => (typeof value === 'object' && value !== null && 'S' in value ? (value as { S: string }).S : value);
  const tagged = plain(operation.Item?.__edb_e__);
  if (typeof tagged === 'string') return tagged.toLowerCase();
  const sk = plain(operation.Key?.sk ?? operation.Item?.sk);
  const match = typeof sk === 'string' ? /^\$([A-Za-z]+)_\d/.exec(sk) : null;
  return match?.[1]?.toLowerCase() ?? 'unknown';
}
