/**
 * Pure rules of customer information management: normalisation, duplicate keys, change sets, who may own what,
 * and which index serves a list query. No I/O.
 */
import { ForbiddenError, UnprocessableError } from '../errors';
import { seesWholeTenant, type Actor } from '../shared/actor';
import type { UniqueClaim } from '../shared/unique-value.model';

/** Emails compare case-insensitively (RFC 5321 local parts may be case-sensitive; no mail system we meet is). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `https://WWW.Acme.com.` and `acme.com` are the same company web domain. */
export function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^www\./, '');
}

/** Tags are labels, not prose: trimmed, lower case, each once, in the order first given. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().toLowerCase()).filter((tag) => tag.length > 0))];
}

/** The unique values a customer holds: its web domain and email, normalised. */
export function customerUniqueValues(customer: { domain?: string | null; email?: string | null }): UniqueClaim[] {
  const claims: UniqueClaim[] = [];
  if (customer.domain) claims.push({ kind: 'customer-domain', value: normalizeDomain(customer.domain) });
  if (customer.email) claims.push({ kind: 'customer-email', value: normalizeEmail(customer.email) });
  return claims;
}

export function contactUniqueValues(contact: { email?: string | null }): UniqueClaim[] {
  return contact.email ? [{ kind: 'contact-email', value: normalizeEmail(contact.email) }] : [];
}

export { ownerForNewRecord } from '../shared/actor';

export function assertMayReassign(actor: Actor, currentOwner: string, newOwner: string | undefined): void {
  if (newOwner === undefined || newOwner === currentOwner) return;
  if (!seesWholeTenant(actor)) throw new ForbiddenError('Only managers and admins may reassign a customer');
}

/** Forcing a known duplicate in is a judgement call reserved for managers and admins. */
export function assertMayForceDuplicate(actor: Actor, allowDuplicate: boolean): void {
  if (allowDuplicate && !seesWholeTenant(actor)) {
    throw new ForbiddenError('Only managers and admins may create or keep a duplicate (allowDuplicate=true)');
  }
}

/** Clock skew we tolerate between a client and us before an activity counts as "in the future". */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** An activity is history: it happened at or before now. Returns the ISO time it occurred. */
export function activityOccurredAt(requested: string | undefined, now: Date): string {
  if (requested === undefined) return now.toISOString();
  const at = new Date(requested);
  if (at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new UnprocessableError('An activity cannot have happened in the future', [
      { path: 'body.occurredAt', message: 'Must not be in the future; plan future work as a task' },
    ]);
  }
  return at.toISOString();
}

/** lastContactedAt only moves forward: logging an old call does not make a customer look neglected. */
export function nextLastContactedAt(current: string | undefined, occurredAt: string): string {
  return current !== undefined && current >= occurredAt ? current : occurredAt;
}

export { nameSortKey } from '../shared/sort-keys';

export type CustomerListIndex = 'byOwner' | 'byLifecycle' | 'byName';

/** The index that serves a list query best; the remaining filters run as filter expressions on it. */
export function customerListIndex(filters: { owner?: string; lifecycle?: string }): CustomerListIndex {
  if (filters.owner !== undefined) return 'byOwner';
  if (filters.lifecycle !== undefined) return 'byLifecycle';
  return 'byName';
}

/**
 * A customer record as saved: the first time its lifecycle is `customer` it gets `customerSince` (the time of
 * that change), kept from then on, also when it churns and comes back — what the "new customers" KPI counts.
 */
export function withCustomerSince<T extends { lifecycle: string; customerSince?: string }>(item: T, at: string): T {
  if (item.lifecycle !== 'customer' || item.customerSince !== undefined) return item;
  return { ...item, customerSince: at };
}
