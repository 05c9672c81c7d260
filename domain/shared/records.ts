/** Record-level helpers every bounded context uses: patches and change sets for the audit trail. */

export type FieldChange = { from?: unknown; to?: unknown };

/** The fields that differ between two versions of a record, for the audit trail. */
export function diffFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  ignore: readonly string[] = ['version', 'updatedAt', 'updatedBy'],
): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (ignore.includes(field)) continue;
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
      changes[field] = { from: before[field], to: after[field] };
    }
  }
  return changes;
}

/** The bookkeeping fields of a record's view: who made it and when, its version — never "changes" in an audit entry. */
const BOOKKEEPING = ['id', 'version', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'];

/** A new record's fields, for its creation's audit entry (bookkeeping and `alsoIgnore` left out). */
export function createdFields(view: Record<string, unknown>, alsoIgnore: readonly string[] = []): Record<string, FieldChange> {
  return diffFields({}, view, [...BOOKKEEPING, ...alsoIgnore]);
}

/** The fields a deleted record had, for its deletion's audit entry. */
export function deletedFields(view: Record<string, unknown>): Record<string, FieldChange> {
  return diffFields(view, {}, BOOKKEEPING);
}

/** Applies a PATCH body: `undefined` keeps a field, `null` clears it, anything else replaces it. */
export function applyPatch<T extends Record<string, unknown>>(record: T, patch: Record<string, unknown>): T {
  const next: Record<string, unknown> = { ...record };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as T;
}

/** Drops undefined fields so responses carry only what is set. */
export function compact<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
