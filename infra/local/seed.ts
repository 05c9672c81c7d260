/**
 * The demo tenant `acme`: users of every role, customers across the lifecycle, contacts and a communication
 * history, deals across the funnel with quotes, a contract template, a won deal whose contract went through the
 * approval workflow and was signed, and a contract waiting for a manager's approval. Seeding runs through the
 * real use cases and the real approval engine (so guards, audit entries and workflow records exist too) and is
 * idempotent: a tenant that already has customers is left alone.
 */
import type { ApprovalEngine } from '../../domain/contracts';
import { decideApproval } from '../../domain/approvals';
import { createContract, createTemplate, getContract, signContract, submitContract } from '../../domain/contracts';
import { ConflictError } from '../../domain/errors';
import { createContact, createCustomer, listCustomers, logActivity } from '../../domain/customers';
import type { Actor, Role } from '../../domain/shared/actor';
import { createOpportunity, moveStage } from '../../domain/pipeline';
import { createQuote, decideQuote } from '../../domain/quotes';
import type { Deps } from '../../domain/shared/ports';

export const DEMO_TENANT = 'acme';

export const DEMO_USERS: ReadonlyArray<{ sub: string; role: Role; name: string }> = [
  { sub: 'dana', role: 'admin', name: 'Dana Admin' },
  { sub: 'alice', role: 'manager', name: 'Alice Manager' },
  { sub: 'mike', role: 'manager', name: 'Mike Manager' },
  { sub: 'bob', role: 'rep', name: 'Bob Rep' },
  { sub: 'carol', role: 'rep', name: 'Carol Rep' },
  { sub: 'raj', role: 'rep', name: 'Raj Rep' },
  { sub: 'fiona', role: 'finance', name: 'Fiona Finance' },
  { sub: 'sam', role: 'service', name: 'Sam Service' },
  { sub: 'sue', role: 'service', name: 'Sue Service' },
];

const actorFor = (sub: string): Actor => {
  const user = DEMO_USERS.find((candidate) => candidate.sub === sub);
  if (!user) throw new Error(`No demo user ${sub}`);
  return { tenantId: DEMO_TENANT, userId: user.sub, roles: [user.role] };
};

const DEMO_CUSTOMERS = [
  {
    owner: 'bob',
    customer: { name: 'Globex Corporation', lifecycle: 'customer', segment: 'enterprise', industry: 'manufacturing', source: 'referral', tags: ['key-account', 'emea'], domain: 'globex.example', email: 'purchasing@globex.example', phone: '+49 30 1234567', address: { line1: 'Friedrichstr. 1', city: 'Berlin', postalCode: '10117', country: 'DE' } },
    contacts: [
      { name: 'Hank Scorpio', title: 'CEO', email: 'hank@globex.example', buyingRole: 'decision_maker' },
      { name: 'Mindy Simmons', title: 'Head of Procurement', email: 'mindy@globex.example', buyingRole: 'economic_buyer' },
    ],
    activities: [
      { type: 'meeting', subject: 'Quarterly business review', body: 'Renewal likely; wants volume pricing.', daysAgo: 3 },
      { type: 'call', subject: 'Intro call with procurement', daysAgo: 20 },
    ],
  },
  {
    owner: 'bob',
    customer: { name: 'Initech', lifecycle: 'prospect', segment: 'mid-market', industry: 'software', source: 'web', tags: ['emea'], domain: 'initech.example', phone: '+44 20 7946 0000' },
    contacts: [{ name: 'Bill Lumbergh', title: 'VP Operations', email: 'bill@initech.example', buyingRole: 'influencer' }],
    activities: [{ type: 'email', subject: 'Sent product overview', daysAgo: 5 }],
  },
  {
    owner: 'carol',
    customer: { name: 'Umbrella Health', lifecycle: 'lead', segment: 'enterprise', industry: 'healthcare', source: 'trade-show', tags: ['apac'], domain: 'umbrella.example' },
    contacts: [{ name: 'Alice Abernathy', title: 'CIO', email: 'alice@umbrella.example', buyingRole: 'champion' }],
    activities: [{ type: 'note', subject: 'Met at MedTech expo', body: 'Interested in the analytics module.', daysAgo: 1 }],
  },
  {
    owner: 'carol',
    customer: { name: 'Stark Industries', lifecycle: 'customer', segment: 'enterprise', industry: 'manufacturing', source: 'outbound', tags: ['key-account', 'na'], domain: 'stark.example', email: 'ap@stark.example' },
    contacts: [{ name: 'Pepper Potts', title: 'CEO', email: 'pepper@stark.example', buyingRole: 'decision_maker' }],
    activities: [{ type: 'call', subject: 'Support escalation follow-up', daysAgo: 2 }],
  },
  {
    owner: 'alice',
    customer: { name: 'Wayne Enterprises', lifecycle: 'churned', segment: 'enterprise', industry: 'conglomerate', source: 'referral', tags: ['na'], domain: 'wayne.example' },
    contacts: [],
    activities: [{ type: 'email', subject: 'Win-back offer sent', daysAgo: 30 }],
  },
] as const;

/** Deals across the funnel, each moved through its gates the way a rep would. */
const DEMO_DEALS: Record<string, ReadonlyArray<{ name: string; amount: number; close: string; stage: string; lostReason?: string }>> = {
  'Globex Corporation': [
    { name: 'Globex platform renewal', amount: 18_000_000, close: '2027-01-31', stage: 'negotiation' },
    { name: 'Globex EU rollout', amount: 6_500_000, close: '2027-03-31', stage: 'needs_analysis' },
  ],
  Initech: [{ name: 'Initech pilot', amount: 1_200_000, close: '2027-02-15', stage: 'contacted' }],
  'Umbrella Health': [{ name: 'Umbrella analytics module', amount: 9_000_000, close: '2027-04-30', stage: 'lead' }],
  'Stark Industries': [{ name: 'Stark support upgrade', amount: 4_400_000, close: '2026-11-15', stage: 'won' }],
  'Wayne Enterprises': [{ name: 'Wayne win-back', amount: 2_000_000, close: '2026-10-31', stage: 'lost', lostReason: 'competitor' }],
};

const FUNNEL = ['lead', 'contacted', 'needs_analysis', 'quote', 'negotiation'];

const CONTRACT_TEMPLATE = `<h1>{{ contract.title }}</h1>
<p>Between {{ company }} and {{ customer.name }}{% if customer.address %}, {{ customer.address.city }}{% endif %}, from {{ contract.startDate }}{% if contract.endDate %} to {{ contract.endDate }}{% endif %}.</p>
<table>{% for line in quote.lines %}<tr><td>{{ line.description }}</td><td>{{ line.quantity }} {{ line.unit }}</td><td>{{ line.totals.total | money }}</td></tr>{% endfor %}</table>
<p>Total {{ quote.totals.total | money }} (tax {{ quote.totals.tax | money }}). {{ quote.terms }}</p>
{% if contract.specialTerms %}<p>Special terms: {{ contract.specialTerms }}</p>{% endif %}
<p>Renewal: {{ contract.renewal }}.</p>`;

export async function seedDemoTenant(deps: Deps, approvals: ApprovalEngine): Promise<'seeded' | 'already-seeded'> {
  const existing = await listCustomers(deps, actorFor('alice'), { limit: 1 });
  if (existing.items.length > 0) return 'already-seeded';
  const manager = actorFor('alice');
  const template = await createTemplate(deps, actorFor('dana'), { name: 'Master subscription agreement', body: CONTRACT_TEMPLATE });
  for (const demo of DEMO_CUSTOMERS) {
    const owner = actorFor(demo.owner);
    let customerId: string;
    try {
      customerId = (await createCustomer(deps, manager, { ...demo.customer, tags: [...demo.customer.tags], owner: owner.userId })).id;
    } catch (error) {
      if (error instanceof ConflictError) continue; // half-seeded earlier: this one exists
      throw error;
    }
    for (const contact of demo.contacts) await createContact(deps, manager, customerId, contact);
    for (const activity of demo.activities) {
      const occurredAt = new Date(deps.clock.now().getTime() - activity.daysAgo * 86_400_000).toISOString();
      await logActivity(deps, owner, customerId, {
        type: activity.type,
        subject: activity.subject,
        ...('body' in activity && { body: activity.body }),
        occurredAt,
      });
    }
    for (const deal of DEMO_DEALS[demo.customer.name] ?? []) {
      const opportunity = await createOpportunity(deps, manager, {
        customerId,
        name: deal.name,
        owner: owner.userId,
        amount: { amount: deal.amount, currency: 'EUR' },
        expectedCloseDate: deal.close,
        interestPoints: ['Single sign-on', 'Reporting'],
        decisionFactors: { budget: 'Approved', need: 'Replace spreadsheets', authority: 'VP signs' },
      });
      // Through the gates one stage at a time, as a rep would (the customer has its contact and activities).
      const path = deal.stage === 'won' ? [...FUNNEL.slice(1), 'won'] : FUNNEL.slice(1, FUNNEL.indexOf(deal.stage) + 1);
      for (const stage of path) {
        if (stage === 'negotiation') {
          // Leaving `quote` needs a sent quote: the deal's amount as one line, sent by the manager.
          const quote = await createQuote(deps, manager, opportunity.id, {
            lines: [{ description: `${deal.name} — annual subscription`, quantity: '1', unitPrice: { amount: deal.amount, currency: 'EUR' } }],
            terms: 'Net 30. Prices exclude VAT.',
          });
          await decideQuote(deps, manager, quote.id, 'send', {});
          await decideQuote(deps, manager, quote.id, 'accept', { note: 'Purchase order received' });
          // Every negotiation has its contract in approval; a won deal's was approved by a manager and signed.
          const contract = await createContract(deps, owner, quote.id, { templateId: template.id, startDate: deal.close });
          await submitContract(deps, approvals, owner, contract.id);
          if (deal.stage === 'won') await approveAndSign(deps, approvals, contract.id);
        }
        if (stage === 'won') continue;
        await moveStage(deps, manager, opportunity.id, { stage });
      }
      if (deal.stage === 'won') await moveStage(deps, manager, opportunity.id, { stage: 'won' });
      if (deal.stage === 'lost') await moveStage(deps, manager, opportunity.id, { stage: 'lost', lostReason: deal.lostReason });
    }
  }
  return 'seeded';
}

/** Mike (a manager who neither owns nor submitted it) approves each waiting step, then the customer signs. */
async function approveAndSign(deps: Deps, approvals: ApprovalEngine, contractId: string): Promise<void> {
  const mike = actorFor('mike');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const contract = await getContract(deps, mike, contractId);
    if (contract.status === 'approved') {
      await signContract(deps, mike, contractId, { signedBy: 'Pepper Potts, CEO', signedAt: deps.clock.now().toISOString() });
      return;
    }
    const { data } = await deps.db.entities.approvalRequest.query
      .byContract({ tenantId: DEMO_TENANT, contractId })
      .where((attr, op) => op.eq(attr.status, 'pending'))
      .go();
    for (const request of data) {
      await decideApproval(deps, approvals, mike, request.requestId, { decision: 'approve', comment: 'Standard terms' });
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`The demo contract ${contractId} was not approved by the local workflow`);
}
