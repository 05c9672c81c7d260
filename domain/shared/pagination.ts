import { createHash } from 'node:crypto';
import { ValidationError } from '../errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/**
 * Our cursors wrap ElectroDB's (a base64url LastEvaluatedKey) together with a fingerprint of the query that
 * issued them: tenant, access pattern and filters. A cursor replayed against another query, another tenant,
 * or one we never issued is refused with 400 instead of silently paging something else.
 */
export function encodeCursor(scope: string, storeCursor: string | null): string | null {
  if (!storeCursor) return null;
  return Buffer.from(JSON.stringify({ s: fingerprint(scope), c: storeCursor })).toString('base64url');
}

export function decodeCursor(scope: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new ValidationError('The cursor is invalid', [
    { path: 'query.cursor', message: 'Not a cursor issued for this list; start again without a cursor' },
  ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    (parsed as { s?: unknown }).s !== fingerprint(scope) ||
    typeof (parsed as { c?: unknown }).c !== 'string'
  ) {
    throw invalid;
  }
  return (parsed as { c: string }).c;
}

function fingerprint(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 22);
}

/**
 * Runs one page of a store query behind our cursor. A cursor that decodes but does not fit the query
 * (hand-made, truncated) makes the store fail; that is the client's fault and answers 400, not 500.
 */
export async function readPage<T>(
  scope: string,
  request: PageRequest,
  run: (page: { cursor: string | undefined; limit: number }) => Promise<{ data: T[]; cursor: string | null }>,
): Promise<Page<T>> {
  const cursor = decodeCursor(scope, request.cursor);
  const limit = request.limit ?? DEFAULT_PAGE_SIZE;
  try {
    const result = await run({ cursor, limit });
    return { items: result.data, nextCursor: encodeCursor(scope, result.cursor) };
  } catch (error) {
    if (cursor !== undefined && isBadCursorError(error)) {
      throw new ValidationError('The cursor is invalid', [{ path: 'query.cursor', message: 'Not a cursor for this list' }]);
    }
    throw error;
  }
}

function isBadCursorError(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'ValidationException' || /cursor|ExclusiveStartKey|starting key/i.test(cause.message)) return true;
  }
  return false;
}
