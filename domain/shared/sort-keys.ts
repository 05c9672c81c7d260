/** Sort-key forms of values, for indexes that sort and prefix-match them. */

/**
 * The sort-key form of a name: lower case, single spaces, and no character at or below `#` (ElectroDB's key
 * separator), so "Initech" sorts before "Initech Labs" and prefix search matches what people type.
 */
export function nameSortKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\u0000-\u0023]/g, '$');
}
