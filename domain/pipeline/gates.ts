/**
 * Stage gates: the exit criteria a stage may require before an opportunity leaves it forward. Each criterion
 * is a pure check over "facts" — the opportunity itself plus whatever linked records it names in `needs` — so
 * the service loads only what the gates on the way actually ask for. New criteria (a sent quote, a signed
 * contract) are added here with the fact source that feeds them.
 */
import type { FieldIssue } from '../errors';

/** Linked records a criterion may look at, loaded on demand by the service. */
export type FactSource = 'customerContacts' | 'customerActivity' | 'opportunityQuotes' | 'opportunityContracts';

export interface GateFacts {
  opportunity: {
    amount?: { amount: number; currency: string };
    expectedCloseDate?: string;
    interestPoints?: readonly string[];
    decisionFactors?: Partial<Record<'budget' | 'authority' | 'need' | 'timeline' | 'criteria', string>>;
    nextStep?: string;
    competitors?: readonly string[];
  };
  /** How many contacts the customer has (at least: the service stops counting at 1). */
  customerContactCount?: number;
  /** When the customer (or this opportunity) last had a logged activity. */
  customerLastContactedAt?: string;
  /** The statuses of the opportunity's quotes (every version). */
  quoteStatuses?: readonly string[];
  /** The statuses of the opportunity's contracts. */
  contractStatuses?: readonly string[];
}

export interface ExitCriterion {
  description: string;
  /** Where the missing thing lives, for the 422's `errors[].path`. */
  path: string;
  needs: readonly FactSource[];
  isMet(facts: GateFacts): boolean;
}

const decisionFactor = (factor: 'budget' | 'authority' | 'need' | 'timeline' | 'criteria'): ExitCriterion => ({
  description: `The ${factor} decision factor is known`,
  path: `decisionFactors.${factor}`,
  needs: [],
  isMet: (facts) => Boolean(facts.opportunity.decisionFactors?.[factor]),
});

export const EXIT_CRITERIA = {
  customer_contact: {
    description: 'The customer has at least one contact person',
    path: 'customer.contacts',
    needs: ['customerContacts'],
    isMet: (facts) => (facts.customerContactCount ?? 0) > 0,
  },
  activity_logged: {
    description: 'An activity (call, email, meeting, note) is logged on the opportunity or its customer',
    path: 'activities',
    needs: ['customerActivity'],
    isMet: (facts) => facts.customerLastContactedAt !== undefined,
  },
  interest_points: {
    description: 'At least one interest point is recorded',
    path: 'interestPoints',
    needs: [],
    isMet: (facts) => (facts.opportunity.interestPoints?.length ?? 0) > 0,
  },
  decision_budget: decisionFactor('budget'),
  decision_authority: decisionFactor('authority'),
  decision_need: decisionFactor('need'),
  decision_timeline: decisionFactor('timeline'),
  decision_criteria: decisionFactor('criteria'),
  quote_sent: {
    description: 'A quote has been sent to the customer',
    path: 'quotes',
    needs: ['opportunityQuotes'],
    isMet: (facts) => (facts.quoteStatuses ?? []).some((status) => status === 'sent' || status === 'accepted'),
  },
  contract_signed: {
    description: 'A contract has been signed',
    path: 'contracts',
    needs: ['opportunityContracts'],
    isMet: (facts) => (facts.contractStatuses ?? []).some((status) => status === 'signed' || status === 'active'),
  },
  amount: {
    description: 'The amount is set',
    path: 'amount',
    needs: [],
    isMet: (facts) => facts.opportunity.amount !== undefined,
  },
  next_step: {
    description: 'A next step is planned',
    path: 'nextStep',
    needs: [],
    isMet: (facts) => Boolean(facts.opportunity.nextStep),
  },
  competitors: {
    description: 'Competitors are recorded (or "none")',
    path: 'competitors',
    needs: [],
    isMet: (facts) => (facts.opportunity.competitors?.length ?? 0) > 0,
  },
} satisfies Record<string, ExitCriterion>;

export type CriterionKey = keyof typeof EXIT_CRITERIA;

export const isCriterionKey = (key: string): key is CriterionKey => Object.hasOwn(EXIT_CRITERIA, key);

export interface RequiredCriterion {
  stage: string;
  criterion: string;
}

/** The fact sources the given criteria need, each once. */
export function factSourcesFor(required: readonly RequiredCriterion[]): FactSource[] {
  const sources = new Set<FactSource>();
  for (const { criterion } of required) {
    if (isCriterionKey(criterion)) for (const source of EXIT_CRITERIA[criterion].needs) sources.add(source);
  }
  return [...sources];
}

/** What is missing, one issue per unmet criterion, naming the stage it gates. */
export function unmetCriteria(required: readonly RequiredCriterion[], facts: GateFacts): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const { stage, criterion } of required) {
    const rule: ExitCriterion | undefined = isCriterionKey(criterion) ? EXIT_CRITERIA[criterion] : undefined;
    if (!rule) {
      issues.push({ path: `pipeline.${stage}.${criterion}`, message: `Leaving ${stage} requires "${criterion}", which this version does not know` });
    } else if (!rule.isMet(facts)) {
      issues.push({ path: rule.path, message: `Leaving ${stage} requires that ${lowerFirst(rule.description)}` });
    }
  }
  return issues;
}

/** "The amount is set" → "the amount is set", to follow "requires that". */
function lowerFirst(sentence: string): string {
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}
