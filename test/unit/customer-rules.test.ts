import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnprocessableError } from '../../domain/errors';
import {
  activityOccurredAt,
  assertMayForceDuplicate,
  assertMayReassign,
  contactUniqueValues,
  customerListIndex,
  customerUniqueValues,
  nextLastContactedAt,
  normalizeDomain,
  normalizeEmail,
  nameSortKey,
  normalizeTags,
  ownerForNewRecord,
} from '../../domain/customers/rules';
import { applyPatch, diffFields } from '../../domain/shared/records';
import type { Actor } from '../../domain/shared/actor';
import { uniqueValueChanges } from '../../domain/shared/unique-values';

const rep: Actor = { tenantId: 't', userId: 'bob', roles: ['rep'] };
const manager: Actor = { tenantId: 't', userId: 'alice', roles: ['manager'] };

describe('normalisation', () => {
  it('treats web domains case-insensitively and ignores www. and a trailing dot', () => {
    expect(normalizeDomain(' WWW.Acme.COM. ')).toBe('acme.com');
    expect(normalizeDomain('shop.acme.com')).toBe('shop.acme.com');
  });

  it('lower-cases emails', () => {
    expect(normalizeEmail(' Jane.Doe@ACME.com ')).toBe('jane.doe@acme.com');
  });

  it('keeps each tag once, lower case, in first-given order', () => {
    expect(normalizeTags(['VIP', 'emea', 'vip ', ' ', 'Emea', 'apac'])).toEqual(['vip', 'emea', 'apac']);
  });
});

describe('unique values', () => {
  it('a customer holds its domain and email, normalised', () => {
    expect(customerUniqueValues({ domain: 'www.Acme.com', email: 'Sales@Acme.com' })).toEqual([
      { kind: 'customer-domain', value: 'acme.com' },
      { kind: 'customer-email', value: 'sales@acme.com' },
    ]);
    expect(customerUniqueValues({ domain: null, email: undefined })).toEqual([]);
    expect(contactUniqueValues({ email: 'A@B.io' })).toEqual([{ kind: 'contact-email', value: 'a@b.io' }]);
  });

  it('claims new values and releases dropped ones, leaving unchanged ones alone', () => {
    const before = customerUniqueValues({ domain: 'acme.com', email: 'old@acme.com' });
    const after = customerUniqueValues({ domain: 'ACME.com', email: 'new@acme.com' });
    expect(uniqueValueChanges(before, after)).toEqual({
      claim: [{ kind: 'customer-email', value: 'new@acme.com' }],
      release: [{ kind: 'customer-email', value: 'old@acme.com' }],
    });
  });
});

describe('ownership', () => {
  it('reps own what they create and may not create for others', () => {
    expect(ownerForNewRecord(rep, undefined)).toBe('bob');
    expect(ownerForNewRecord(rep, 'bob')).toBe('bob');
    expect(() => ownerForNewRecord(rep, 'carol')).toThrow(ForbiddenError);
  });

  it('managers may hand a new record to anyone', () => {
    expect(ownerForNewRecord(manager, 'carol')).toBe('carol');
    expect(ownerForNewRecord(manager, undefined)).toBe('alice');
  });

  it('only managers and admins reassign or force duplicates', () => {
    expect(() => assertMayReassign(rep, 'bob', 'carol')).toThrow(ForbiddenError);
    expect(() => assertMayReassign(rep, 'bob', 'bob')).not.toThrow();
    expect(() => assertMayReassign(manager, 'bob', 'carol')).not.toThrow();
    expect(() => assertMayForceDuplicate(rep, true)).toThrow(ForbiddenError);
    expect(() => assertMayForceDuplicate(rep, false)).not.toThrow();
    expect(() => assertMayForceDuplicate(manager, true)).not.toThrow();
  });
});

describe('activities', () => {
  const now = new Date('2026-05-01T12:00:00.000Z');

  it('default to now and accept the past and small clock skew', () => {
    expect(activityOccurredAt(undefined, now)).toBe('2026-05-01T12:00:00.000Z');
    expect(activityOccurredAt('2026-04-30T09:00:00+02:00', now)).toBe('2026-04-30T07:00:00.000Z');
    expect(activityOccurredAt('2026-05-01T12:04:00Z', now)).toBe('2026-05-01T12:04:00.000Z');
  });

  it('refuse an activity in the future, naming the field', () => {
    try {
      activityOccurredAt('2026-05-01T12:10:00Z', now);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnprocessableError);
      expect((error as UnprocessableError).errors[0]?.path).toBe('body.occurredAt');
    }
  });

  it('lastContactedAt only moves forward', () => {
    expect(nextLastContactedAt(undefined, '2026-01-01T00:00:00.000Z')).toBe('2026-01-01T00:00:00.000Z');
    expect(nextLastContactedAt('2026-02-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')).toBe('2026-02-01T00:00:00.000Z');
    expect(nextLastContactedAt('2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z')).toBe('2026-03-01T00:00:00.000Z');
  });
});

describe('patches and diffs', () => {
  it('undefined keeps, null clears, a value replaces', () => {
    const record = { name: 'Acme', phone: '+1 555', tags: ['a'] };
    expect(applyPatch(record, { name: 'Acme Inc', phone: null, tags: undefined })).toEqual({ name: 'Acme Inc', tags: ['a'] });
  });

  it('lists changed fields with from and to, ignoring bookkeeping', () => {
    expect(
      diffFields(
        { name: 'A', tags: ['x'], version: 1, phone: '1' },
        { name: 'B', tags: ['x'], version: 2, email: 'e@x.io' },
      ),
    ).toEqual({ name: { from: 'A', to: 'B' }, phone: { from: '1', to: undefined }, email: { from: undefined, to: 'e@x.io' } });
  });
});

describe('list index choice', () => {
  it('uses the owner index, then lifecycle, then the name index', () => {
    expect(customerListIndex({ owner: 'bob', lifecycle: 'lead' })).toBe('byOwner');
    expect(customerListIndex({ lifecycle: 'lead' })).toBe('byLifecycle');
    expect(customerListIndex({})).toBe('byName');
  });
});

describe('name sort keys', () => {
  it('sort a name before the longer names it prefixes, whatever the separator', () => {
    const keys = ['Initech Labs', 'Initech', 'initech-2', 'Initech!'].map((name) => `${nameSortKey(name)}#id`);
    expect([...keys].sort()).toEqual(['initech#id', 'initech$#id', 'initech$labs#id', 'initech-2#id']);
  });

  it('fold case and runs of whitespace so prefix search matches what people type', () => {
    expect(nameSortKey('  ACME   Corp ')).toBe('acme$corp');
    expect(nameSortKey('acme c').startsWith('acme$c')).toBe(true);
  });
});
