/**
 * A realistic tenant for the bench: customers across segments and industries, each with a contact, a short
 * communication history and an opportunity — written through the real use cases (guards, audit, outbox, timers
 * included), a few at a time.
 */
import { createContact, createCustomer, logActivity } from '../domain/customers/service';
import { createOpportunity } from '../domain/pipeline/service';
import type { Deps } from '../domain/shared/ports';
import { actor } from '../test/support/actors';

const SEGMENTS = ['smb', 'mid-market', 'enterprise'];
const INDUSTRIES = ['software', 'manufacturing', 'healthcare', 'retail', 'finance'];
const OWNERS = ['bob', 'carol', 'raj', 'ann', 'ben'];

export async function seedTenant(deps: Deps, tenant: string, customers: number, concurrency = 12): Promise<number> {
  const manager = actor(tenant, 'alice', 'manager');
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < customers; index = next++) {
      const owner = OWNERS[index % OWNERS.length]!;
      const customer = await createCustomer(deps, manager, {
        name: `Customer ${String(index).padStart(6, '0')}`,
        segment: SEGMENTS[index % SEGMENTS.length],
        industry: INDUSTRIES[index % INDUSTRIES.length],
        owner,
      });
      const contact = await createContact(deps, manager, customer.id, { name: `Contact ${index}` });
      await logActivity(deps, manager, customer.id, { type: 'call', subject: 'Intro call', contactId: contact.id });
      const deal = await createOpportunity(deps, manager, {
        customerId: customer.id,
        name: `Deal ${index}`,
        owner,
        amount: { amount: 100_000 + (index % 50) * 10_000, currency: 'EUR' },
        expectedCloseDate: `2027-${String((index % 12) + 1).padStart(2, '0')}-15`,
      });
      await logActivity(deps, manager, customer.id, { type: 'email', subject: 'Proposal', opportunityId: deal.id });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return customers;
}
