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
