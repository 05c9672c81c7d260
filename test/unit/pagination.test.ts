import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/errors';
import { decodeCursor, encodeCursor, readPage } from '../../domain/shared/pagination';

describe('cursors', () => {
  it('round-trip for the query that issued them', () => {
    const cursor = encodeCursor('acme|customers|active', 'store-cursor-123');
    expect(cursor).not.toBeNull();
    expect(decodeCursor('acme|customers|active', cursor as string)).toBe('store-cursor-123');
  });

  it('the last page has no cursor', () => {
    expect(encodeCursor('scope', null)).toBeNull();
  });

  it.each([
    ['another tenant', encodeCursor('globex|customers|active', 'x') as string],
    ['another query', encodeCursor('acme|customers|archived', 'x') as string],
    ['garbage', 'not-a-cursor'],
    ['valid base64 of something else', Buffer.from('{"a":1}').toString('base64url')],
  ])('refuses a cursor from %s with a 400 naming query.cursor', (_, cursor) => {
    try {
      decodeCursor('acme|customers|active', cursor);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
    }
  });

  it('turns a store rejection of a forged start key into a 400', async () => {
    const cursor = encodeCursor('s', 'forged') as string;
    const rejection = Object.assign(new Error('The provided starting key is invalid'), { name: 'ValidationException' });
    await expect(readPage('s', { cursor }, () => Promise.reject(rejection))).rejects.toBeInstanceOf(ValidationError);
  });

  it('passes the page size through and wraps the next cursor', async () => {
    const page = await readPage('s', { limit: 7 }, async ({ limit, cursor }) => {
      expect(cursor).toBeUndefined();
      return { data: Array.from({ length: limit }, (_, i) => i), cursor: 'next' };
    });
    expect(page.items).toHaveLength(7);
    expect(decodeCursor('s', page.nextCursor as string)).toBe('next');
  });
});
