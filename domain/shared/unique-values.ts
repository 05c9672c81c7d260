/**
 * Values unique within a tenant (a customer's domain or email, a contact's email), kept by guard items
 * claimed and released in the same transaction as the record that holds them.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb, TransactionCommit, TransactionEntities } from '../db';
import { ConflictError } from '../errors';
import type { Actor } from './actor';
import type { Deps } from './ports';
import { conflictedWithAnotherTransaction, rejectedAt, type TransactionOutcome } from './store-errors';
import { ConcurrentChange, describeOutcome } from './writes';

type UniqueValueItem = EntityItem<SalesDb['entities']['uniqueValue']>;

export type UniqueKind = UniqueValueItem['kind'];

export interface UniqueClaim {
  kind: UniqueKind;
  value: string;
}

/** What changing a record's unique values means for the guards: values to claim and values to release. */
export function uniqueValueChanges(before: UniqueClaim[], after: UniqueClaim[]) {
  const same = (a: UniqueClaim, b: UniqueClaim) => a.kind === b.kind && a.value === b.value;
  return {
    claim: after.filter((claim) => !before.some((held) => same(held, claim))),
    release: before.filter((held) => !after.some((claim) => same(held, claim))),
  };
}


export interface UniqueWrite {
  claims: UniqueClaim[];
  releases: UniqueClaim[];
  holder: Pick<UniqueValueItem, 'holderType' | 'holderId' | 'customerId'>;
  allowDuplicate: boolean;
  /** The record's own writes; they come first in the transaction. */
  write: (entities: TransactionEntities) => TransactionCommit[];
  /** Whether the record's own condition (its version) is what failed. */
  recordRejected: (outcome: TransactionOutcome) => boolean;
}

/**
 * Commits a record together with its unique-value guards: claims new values (409 naming the holder when
 * taken), releases values the record no longer has (only guards it holds itself: a forced duplicate never
 * frees the original's value).
 */
export async function writeWithUniqueValues(deps: Deps, actor: Actor, plan: UniqueWrite): Promise<void> {
  const { tenantId } = actor;
  const guardsToRelease = (
    await Promise.all(plan.releases.map((claim) => readGuard(deps, tenantId, claim)))
  ).filter((guard): guard is UniqueValueItem => guard !== null && guard.holderId === plan.holder.holderId);
  let claims = plan.claims;
  if (plan.allowDuplicate) {
    const held = await Promise.all(claims.map((claim) => readGuard(deps, tenantId, claim)));
    claims = claims.filter((_, index) => held[index] === null);
  }

  let ownCount = 0;
  const outcome = await deps.db.transaction
    .write((entities) => {
      const own = plan.write(entities);
      ownCount = own.length;
      return [
        ...own,
        ...claims.map((claim) => entities.uniqueValue.create({ tenantId, ...claim, ...plan.holder }).commit()),
        ...guardsToRelease.map((guard) =>
          entities.uniqueValue
            .delete({ tenantId, kind: guard.kind, value: guard.value })
            .where((attr, op) => op.eq(attr.holderId, plan.holder.holderId))
            .commit(),
        ),
      ];
    })
    .go();
  if (!outcome.canceled) return;

  if (plan.recordRejected(outcome)) throw new ConcurrentChange();
  const takenIndex = claims.findIndex((_, index) => rejectedAt(outcome, ownCount + index));
  const taken = claims[takenIndex];
  if (taken) {
    const holder = await readGuard(deps, tenantId, taken);
    if (holder === null || plan.allowDuplicate) throw new ConcurrentChange();
    throw duplicateError(taken, holder);
  }
  if (conflictedWithAnotherTransaction(outcome)) throw new ConcurrentChange();
  throw new Error(`Write transaction canceled: ${describeOutcome(outcome)}`);
}

async function readGuard(deps: Deps, tenantId: string, claim: UniqueClaim): Promise<UniqueValueItem | null> {
  const { data } = await deps.db.entities.uniqueValue.get({ tenantId, ...claim }).go({ consistent: true });
  return data;
}

function duplicateError(claim: UniqueClaim, holder: UniqueValueItem): ConflictError {
  const field = claim.kind === 'customer-domain' ? 'domain' : claim.kind === 'product-sku' ? 'sku' : 'email';
  const existing =
    holder.holderType === 'customer'
      ? { type: 'customer', id: holder.holderId, href: `/customers/${holder.holderId}` }
      : holder.holderType === 'product'
        ? { type: 'product', id: holder.holderId, href: `/products/${holder.holderId}` }
        : { type: 'contact', id: holder.holderId, customerId: holder.customerId, href: `/customers/${holder.customerId}/contacts` };
  return new ConflictError(`A ${holder.holderType} with this ${field} already exists: ${holder.holderId}`, {
    field,
    value: claim.value,
    existing,
  });
}

