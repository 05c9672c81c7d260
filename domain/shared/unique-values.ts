/**
 * Values unique within a tenant (a customer's domain or email, a contact's email, a product's SKU), kept by
 * guard items claimed and released in the same transaction as the record that holds them.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { ConflictError } from '../errors';
import type { Deps } from './ports';
import type { UniqueClaim } from './unique-value.model';
import type { WriteSet } from './versioned-write';

export type { UniqueClaim, UniqueKind } from './unique-value.model';

type UniqueValueItem = EntityItem<SalesDb['entities']['uniqueValue']>;

/** What changing a record's unique values means for the guards: values to claim and values to release. */
export function uniqueValueChanges(before: UniqueClaim[], after: UniqueClaim[]) {
  const same = (a: UniqueClaim, b: UniqueClaim) => a.kind === b.kind && a.value === b.value;
  return {
    claim: after.filter((claim) => !before.some((held) => same(held, claim))),
    release: before.filter((held) => !after.some((claim) => same(held, claim))),
  };
}

export interface UniqueValuesChange {
  /** The values the record held before the change (none for a new record). */
  before: UniqueClaim[];
  /** The values it holds after it. */
  after: UniqueClaim[];
  holder: Pick<UniqueValueItem, 'holderType' | 'holderId' | 'customerId'>;
  /** A manager keeps a known duplicate: values held by others are not claimed (and never freed by this record). */
  allowDuplicate: boolean;
}

/**
 * Reads the guards a change needs and returns its writes: claims of new values (a 409 naming the holder when
 * one is taken) and releases of the values the record lets go — only guards it holds itself, so a forced
 * duplicate never frees the original's value.
 */
export async function uniqueValueWrites(deps: Deps, tenantId: string, change: UniqueValuesChange): Promise<(tx: WriteSet) => void> {
  const { claim, release } = uniqueValueChanges(change.before, change.after);
  const { holder, allowDuplicate } = change;
  const held = await Promise.all(release.map((value) => readGuard(deps, tenantId, value)));
  const releases = held.filter((guard): guard is UniqueValueItem => guard !== null && guard.holderId === holder.holderId);
  let claims = claim;
  if (allowDuplicate) {
    const taken = await Promise.all(claims.map((value) => readGuard(deps, tenantId, value)));
    claims = claims.filter((_, index) => taken[index] === null);
  }
  return (tx) => {
    for (const value of claims) {
      tx.unique(`uniqueValue:${value.kind}`, tx.entities.uniqueValue.create({ tenantId, ...value, ...holder }).commit(), async () => {
        const existing = await readGuard(deps, tenantId, value);
        // Nobody holds it any more, or this very record claimed it in a concurrent write: re-applied, not refused.
        if (existing === null || existing.holderId === holder.holderId || allowDuplicate) return undefined;
        return duplicateError(value, existing);
      });
    }
    for (const guard of releases) {
      tx.record(
        `uniqueValue:${guard.kind}`,
        tx.entities.uniqueValue
          .delete({ tenantId, kind: guard.kind, value: guard.value })
          .where((attr, op) => op.eq(attr.holderId, holder.holderId))
          .commit(),
      );
    }
  };
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
