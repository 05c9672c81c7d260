/**
 * Assignment under real concurrency on DynamoDB Local, with no HTTP in between: 100 leads, 20 in flight at a time.
 * (DynamoDB Local serializes transactions behind a lock and gives up on a loaded machine — "this request will
 * succeed in actual DynamoDB API" — so a test keeps its bursts to what the emulator sustains.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { putAssignmentRules } from '../../domain/assignment';
import { createCustomer } from '../../domain/customers';
import { putRep } from '../../domain/reps';
import type { Deps } from '../../domain/shared/ports';
import { createTestDeps, people } from '../support/dynamo';

let deps: Deps;
beforeAll(async () => {
  deps = await createTestDeps();
});

describe('round robin under concurrency', () => {
  it('spreads 100 leads created in parallel exactly evenly over 5 reps', { timeout: 120_000 }, async () => {
    const who = people();
    for (const rep of ['ann', 'ben', 'cal', 'dee', 'eve']) {
      await putRep(deps, who.dana, rep, { experience: 'mid', capacity: { maxOpenOpportunities: 10, maxOpenLeads: 1000 } }, {});
    }
    await putAssignmentRules(deps, who.dana, { rules: [{ name: 'Inbound', strategy: 'round_robin' }], fallbackOwner: 'alice' }, {});
    const created: Array<{ owner: string }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let index = next++; index < 100; index = next++) created.push(await createCustomer(deps, who.bob, { name: `Lead ${index}`, owner: 'auto' }));
      }),
    );
    const counts = created.reduce<Record<string, number>>((all, customer) => ({ ...all, [customer.owner]: (all[customer.owner] ?? 0) + 1 }), {});
    expect(counts).toEqual({ ann: 20, ben: 20, cal: 20, dee: 20, eve: 20 });
  });
});
