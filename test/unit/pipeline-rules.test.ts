import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, UnprocessableError } from '../../domain/errors';
import { factSourcesFor, unmetCriteria, type GateFacts } from '../../domain/pipeline/gates';
import {
  DEFAULT_PIPELINE,
  defaultProbability,
  effectiveStage,
  planStageMove,
  stageIntervals,
  stageTotals,
  validatePipelineChange,
  type PipelineDefinition,
} from '../../domain/pipeline/rules';
import type { Actor } from '../../domain/shared/actor';

const rep: Actor = { tenantId: 't', userId: 'bob', roles: ['rep'] };
const manager: Actor = { tenantId: 't', userId: 'alice', roles: ['manager'] };
const LOST_REASONS = ['price', 'competitor', 'other'];
const STAGES = ['lead', 'contacted', 'needs_analysis', 'quote', 'negotiation', 'won', 'lost'] as const;

type Outcome = 'forward' | 'backward' | 'won' | 'lost' | 'reopen' | 'same' | 'won-not-last' | 'closed';

/** The expected outcome of every move between two stages of the default pipeline (rows: from, columns: to). */
function expectedOutcome(from: (typeof STAGES)[number], to: (typeof STAGES)[number]): Outcome {
  const open = ['lead', 'contacted', 'needs_analysis', 'quote', 'negotiation'];
  if (from === to) return 'same';
  if (from === 'won' || from === 'lost') return to === 'won' || to === 'lost' ? 'closed' : 'reopen';
  if (to === 'lost') return 'lost';
  if (to === 'won') return from === 'negotiation' ? 'won' : 'won-not-last';
  return open.indexOf(to) > open.indexOf(from) ? 'forward' : 'backward';
}

describe('stage moves: every pair of stages of the default pipeline', () => {
  const pairs = STAGES.flatMap((from) => STAGES.map((to) => [from, to, expectedOutcome(from, to)] as const));

  it.each(pairs)('%s → %s: %s', (from, to, outcome) => {
    const move = () =>
      planStageMove({
        pipeline: DEFAULT_PIPELINE,
        currentStage: from,
        target: to,
        actor: manager,
        note: 'because',
        lostReason: to === 'lost' ? 'price' : undefined,
        lostReasons: LOST_REASONS,
      });
    switch (outcome) {
      case 'same':
      case 'won-not-last':
      case 'closed':
        expect(move).toThrow(ConflictError);
        return;
      default: {
        const plan = move();
        expect(plan.kind).toBe(outcome);
        expect(plan.to).toBe(to);
      }
    }
  });

  it('a forward move passes the gates of every stage it leaves, in order', () => {
    const plan = planStageMove({ pipeline: DEFAULT_PIPELINE, currentStage: 'lead', target: 'quote', actor: rep, lostReasons: [] });
    expect(plan.gates).toEqual([
      { stage: 'lead', criterion: 'customer_contact' },
      { stage: 'contacted', criterion: 'activity_logged' },
      { stage: 'needs_analysis', criterion: 'interest_points' },
      { stage: 'needs_analysis', criterion: 'decision_budget' },
      { stage: 'needs_analysis', criterion: 'decision_need' },
    ]);
  });

  it('won passes the gate of the last open stage; lost and backward pass none', () => {
    const pipeline: PipelineDefinition = {
      ...DEFAULT_PIPELINE,
      stages: DEFAULT_PIPELINE.stages.map((stage) => (stage.key === 'negotiation' ? { ...stage, exitCriteria: ['amount'] } : stage)),
    };
    expect(planStageMove({ pipeline, currentStage: 'negotiation', target: 'won', actor: rep, lostReasons: [] }).gates).toEqual([
      { stage: 'negotiation', criterion: 'amount' },
    ]);
    expect(planStageMove({ pipeline, currentStage: 'lead', target: 'lost', actor: rep, lostReason: 'price', lostReasons: LOST_REASONS }).gates).toEqual([]);
    expect(planStageMove({ pipeline, currentStage: 'quote', target: 'lead', actor: rep, note: 'redo', lostReasons: [] }).gates).toEqual([]);
  });

  const issuePath = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(UnprocessableError);
      return (error as UnprocessableError).errors.map((issue) => issue.path);
    }
    throw new Error('expected a 422');
  };

  it('moving back needs a note', () => {
    expect(issuePath(() => planStageMove({ pipeline: DEFAULT_PIPELINE, currentStage: 'quote', target: 'lead', actor: rep, lostReasons: [] }))).toEqual(['body.note']);
  });

  it("lost needs one of the tenant's reasons, and a reason goes only with lost", () => {
    const lose = (lostReason?: string) => () =>
      planStageMove({ pipeline: DEFAULT_PIPELINE, currentStage: 'lead', target: 'lost', actor: rep, lostReason, lostReasons: LOST_REASONS });
    expect(issuePath(lose(undefined))).toEqual(['body.lostReason']);
    expect(issuePath(lose('aliens'))).toEqual(['body.lostReason']);
    expect(
      issuePath(() =>
        planStageMove({ pipeline: DEFAULT_PIPELINE, currentStage: 'lead', target: 'contacted', actor: rep, lostReason: 'price', lostReasons: LOST_REASONS }),
      ),
    ).toEqual(['body.lostReason']);
  });

  it('says whether the lost reason is missing or not one of the tenant\'s, and lists them', () => {
    const refusal = (lostReason?: string) => {
      try {
        planStageMove({ pipeline: DEFAULT_PIPELINE, currentStage: 'lead', target: 'lost', actor: rep, lostReason, lostReasons: LOST_REASONS });
      } catch (error) {
        return { detail: (error as UnprocessableError).message, messages: (error as UnprocessableError).errors.map((issue) => issue.message) };
      }
      throw new Error('expected a 422');
    };
    expect(refusal(undefined)).toEqual({ detail: 'A move to lost needs a lost reason: one of price, competitor, other', messages: ['Required: one of price, competitor, other'] });
    expect(refusal('aliens')).toEqual({ detail: '"aliens" is not one of the tenant\'s lost reasons (GET /settings)', messages: ['Must be one of price, competitor, other'] });
  });

  it('an unknown stage is a 422 naming body.stage', () => {
    expect(issuePath(() => planStageMove({ pipeline: DEFAULT_PIPELINE, currentStage: 'lead', target: 'heaven', actor: rep, lostReasons: [] }))).toEqual([
      'body.stage',
    ]);
  });

  it('only a manager or admin reopens, with a note', () => {
    expect(() => planStageMove({ pipeline: DEFAULT_PIPELINE, currentStage: 'won', target: 'negotiation', actor: rep, note: 'x', lostReasons: [] })).toThrow(
      ForbiddenError,
    );
    expect(issuePath(() => planStageMove({ pipeline: DEFAULT_PIPELINE, currentStage: 'lost', target: 'lead', actor: manager, lostReasons: [] }))).toEqual([
      'body.note',
    ]);
  });

  it('an opportunity in a retired stage moves as if in the stage it maps to', () => {
    const pipeline: PipelineDefinition = { ...DEFAULT_PIPELINE, retiredStages: { qualify: 'contacted' } };
    expect(effectiveStage(pipeline, 'qualify')).toBe('contacted');
    expect(planStageMove({ pipeline, currentStage: 'qualify', target: 'needs_analysis', actor: rep, lostReasons: [] }).gates).toEqual([
      { stage: 'contacted', criterion: 'activity_logged' },
    ]);
    expect(defaultProbability(pipeline, 'qualify')).toBe(20);
  });
});

describe('gates', () => {
  const facts = (overrides: Partial<GateFacts> = {}): GateFacts => ({ opportunity: {}, ...overrides });

  it('list every unmet criterion with the field it concerns', () => {
    const required = [
      { stage: 'lead', criterion: 'customer_contact' },
      { stage: 'contacted', criterion: 'activity_logged' },
      { stage: 'needs_analysis', criterion: 'interest_points' },
      { stage: 'needs_analysis', criterion: 'decision_budget' },
      { stage: 'needs_analysis', criterion: 'decision_need' },
    ];
    expect(unmetCriteria(required, facts()).map((issue) => issue.path)).toEqual([
      'customer.contacts',
      'activities',
      'interestPoints',
      'decisionFactors.budget',
      'decisionFactors.need',
    ]);
    expect(
      unmetCriteria(
        required,
        facts({
          customerContactCount: 1,
          customerLastContactedAt: '2026-01-01T00:00:00Z',
          opportunity: { interestPoints: ['SSO'], decisionFactors: { budget: '50k', need: 'compliance' } },
        }),
      ),
    ).toEqual([]);
  });

  it('say what each unmet criterion needs, as a sentence', () => {
    expect(unmetCriteria([{ stage: 'lead', criterion: 'customer_contact' }, { stage: 'negotiation', criterion: 'amount' }], facts()).map((issue) => issue.message)).toEqual([
      'Leaving lead requires that the customer has at least one contact person',
      'Leaving negotiation requires that the amount is set',
    ]);
  });

  it('load only the linked records the gates ask for', () => {
    expect(factSourcesFor([{ stage: 'needs_analysis', criterion: 'interest_points' }])).toEqual([]);
    expect(
      factSourcesFor([
        { stage: 'lead', criterion: 'customer_contact' },
        { stage: 'contacted', criterion: 'activity_logged' },
      ]).sort(),
    ).toEqual(['customerActivity', 'customerContacts']);
  });

  it('an unknown criterion never passes silently', () => {
    expect(unmetCriteria([{ stage: 'quote', criterion: 'quote_sent_in_future_version' }], facts())).toHaveLength(1);
  });
});

describe('pipeline changes', () => {
  const stages = (...keys: string[]) => keys.map((key) => ({ key, name: key, probability: 10, exitCriteria: [] }));

  it('refuses reserved, duplicate keys and unknown criteria', () => {
    try {
      validatePipelineChange(DEFAULT_PIPELINE, { stages: [...stages('a', 'won', 'a'), { key: 'b', name: 'b', probability: 5, exitCriteria: ['telepathy'] }] }, new Set());
      expect.unreachable();
    } catch (error) {
      expect((error as UnprocessableError).errors.map((issue) => issue.path)).toEqual([
        'body.stages.1.key',
        'body.stages.2.key',
        'body.stages.3.exitCriteria.0',
      ]);
    }
  });

  it('a removed stage in use needs a mapping to a stage of the new pipeline', () => {
    const next = { stages: stages('lead', 'contacted', 'needs_analysis', 'negotiation') };
    expect(() => validatePipelineChange(DEFAULT_PIPELINE, next, new Set(['quote']))).toThrow(UnprocessableError);
    expect(() => validatePipelineChange(DEFAULT_PIPELINE, { ...next, stageMapping: { quote: 'nowhere' } }, new Set(['quote']))).toThrow(UnprocessableError);
    expect(validatePipelineChange(DEFAULT_PIPELINE, { ...next, stageMapping: { quote: 'negotiation' } }, new Set(['quote']))).toEqual({
      retiredStages: { quote: 'negotiation' },
      moves: { quote: 'negotiation' },
    });
    // Not in use: removing needs no mapping.
    expect(validatePipelineChange(DEFAULT_PIPELINE, next, new Set()).retiredStages).toEqual({});
  });

  it('earlier retired stages follow their target when it is removed too', () => {
    const current: PipelineDefinition = { stages: stages('lead', 'contacted', 'won_over'), retiredStages: { old: 'contacted' } };
    const result = validatePipelineChange(current, { stages: stages('lead', 'won_over'), stageMapping: { contacted: 'lead' } }, new Set(['contacted', 'old']));
    expect(result.retiredStages).toEqual({ old: 'lead', contacted: 'lead' });
  });
});

describe('stage history', () => {
  const changes = [
    { to: 'lead', at: '2026-01-01T00:00:00.000Z' },
    { from: 'lead', to: 'contacted', at: '2026-01-03T00:00:00.000Z' },
    { from: 'contacted', to: 'lead', at: '2026-01-04T00:00:00.000Z' },
    { from: 'lead', to: 'contacted', at: '2026-01-05T00:00:00.000Z' },
  ];
  const day = 86_400_000;

  it('gives entered/exited times and time spent per visit, the current stage up to now', () => {
    const intervals = stageIntervals(changes, new Date('2026-01-07T00:00:00.000Z'));
    expect(intervals.map((i) => [i.stage, i.exitedAt, i.durationMs])).toEqual([
      ['lead', '2026-01-03T00:00:00.000Z', 2 * day],
      ['contacted', '2026-01-04T00:00:00.000Z', day],
      ['lead', '2026-01-05T00:00:00.000Z', day],
      ['contacted', null, 2 * day],
    ]);
    expect(stageTotals(intervals)).toEqual([
      { stage: 'lead', visits: 2, durationMs: 3 * day },
      { stage: 'contacted', visits: 2, durationMs: 3 * day },
    ]);
  });

  it('time sitting in won or lost is not time in the funnel', () => {
    const won = [...changes, { from: 'contacted', to: 'won', at: '2026-01-06T00:00:00.000Z' }];
    const intervals = stageIntervals(won, new Date('2026-02-01T00:00:00.000Z'));
    expect(intervals.at(-1)).toEqual({ stage: 'won', enteredAt: '2026-01-06T00:00:00.000Z', exitedAt: null, durationMs: 0 });
  });
});
