/** Forecast categories per stage and per deal, and the rate a closed deal keeps: pure rules, table-driven. */
import { describe, expect, it } from 'vitest';
import { ratesOn } from '../../domain/settings';
import { localDate } from '../../domain/analytics';
import { localDate as kernelLocalDate } from '../../domain/shared/local-date';
import {
  DEFAULT_PIPELINE,
  closeRateFor,
  defaultForecastCategory,
  forecastCategoryOf,
  withForecastCategories,
  type PipelineDefinition,
} from '../../domain/pipeline/rules';

/** A pipeline saved before forecast categories existed: no category on its stages, one stage retired. */
const LEGACY: PipelineDefinition = {
  stages: [
    { key: 'lead', name: 'Lead', probability: 10, exitCriteria: [] },
    { key: 'quote', name: 'Quote', probability: 50, exitCriteria: [] },
    { key: 'negotiation', name: 'Negotiation', probability: 80, exitCriteria: [] },
    { key: 'proposal', name: 'Proposal', probability: 70, exitCriteria: [] },
  ],
  retiredStages: { demo: 'quote' },
};

const CUSTOM: PipelineDefinition = {
  stages: [
    { key: 'lead', name: 'Lead', probability: 10, exitCriteria: [], forecastCategory: 'omitted' },
    { key: 'quote', name: 'Quote', probability: 50, exitCriteria: [], forecastCategory: 'commit' },
  ],
  retiredStages: {},
};

describe('forecast categories', () => {
  it.each([
    ['lead', 'pipeline'],
    ['contacted', 'pipeline'],
    ['needs_analysis', 'pipeline'],
    ['quote', 'best_case'],
    ['negotiation', 'commit'],
    ['proposal', 'pipeline'],
  ])('a stage keyed %s defaults to %s', (key, category) => {
    expect(defaultForecastCategory(key)).toBe(category);
  });

  it('the default pipeline names the defaults explicitly', () => {
    expect(DEFAULT_PIPELINE.stages.map((stage) => [stage.key, stage.forecastCategory])).toEqual(
      DEFAULT_PIPELINE.stages.map((stage) => [stage.key, defaultForecastCategory(stage.key)]),
    );
  });

  it('fills the defaults into stages saved without one, and keeps the ones given', () => {
    expect(withForecastCategories(LEGACY.stages).map((stage) => stage.forecastCategory)).toEqual(['pipeline', 'best_case', 'commit', 'pipeline']);
    expect(withForecastCategories(CUSTOM.stages).map((stage) => stage.forecastCategory)).toEqual(['omitted', 'commit']);
  });

  it.each<[string, { stage: string; forecastCategoryOverride?: 'pipeline' | 'best_case' | 'commit' | 'omitted' }, PipelineDefinition, string]>([
    ['an open deal: its stage (default pipeline)', { stage: 'quote' }, DEFAULT_PIPELINE, 'best_case'],
    ['an open deal: its stage (legacy pipeline, by key)', { stage: 'negotiation' }, LEGACY, 'commit'],
    ['an open deal: its stage (custom)', { stage: 'lead' }, CUSTOM, 'omitted'],
    ['a retired stage: the stage it maps to', { stage: 'demo' }, LEGACY, 'best_case'],
    ['a stage the pipeline does not know', { stage: 'vanished' }, CUSTOM, 'pipeline'],
    ['the override wins over the stage', { stage: 'lead', forecastCategoryOverride: 'commit' }, DEFAULT_PIPELINE, 'commit'],
    ['the override may omit a deal', { stage: 'negotiation', forecastCategoryOverride: 'omitted' }, DEFAULT_PIPELINE, 'omitted'],
    ['won is closed', { stage: 'won' }, DEFAULT_PIPELINE, 'closed'],
    ['lost is omitted', { stage: 'lost' }, DEFAULT_PIPELINE, 'omitted'],
    ['won is closed whatever an override says', { stage: 'won', forecastCategoryOverride: 'pipeline' }, DEFAULT_PIPELINE, 'closed'],
    ['lost is omitted whatever an override says', { stage: 'lost', forecastCategoryOverride: 'commit' }, DEFAULT_PIPELINE, 'omitted'],
  ])('%s', (_what, opportunity, pipeline, expected) => {
    expect(forecastCategoryOf(opportunity, pipeline)).toBe(expected);
  });
});

describe('the rate a closed deal keeps', () => {
  const stamp = { updatedAt: '2027-01-01T00:00:00.000Z', updatedBy: 'fiona' };
  const rates = [
    { currency: 'USD', rate: '0.9000', effectiveFrom: '2027-01-01', ...stamp },
    { currency: 'USD', rate: '0.9130', effectiveFrom: '2027-03-01', ...stamp },
    { currency: 'GBP', rate: '1.1700', effectiveFrom: '2027-04-01', ...stamp },
  ];

  it.each<[string, { currency: string } | undefined, string, unknown]>([
    ['the rate in effect on the close date', { currency: 'USD' }, '2027-02-28', { currency: 'USD', rate: '0.9000', effectiveFrom: '2027-01-01' }],
    ['a rate takes effect on its own date', { currency: 'USD' }, '2027-03-01', { currency: 'USD', rate: '0.9130', effectiveFrom: '2027-03-01' }],
    ['no rate yet on that date: none', { currency: 'GBP' }, '2027-03-31', undefined],
    ['a currency without any rate: none', { currency: 'CHF' }, '2027-06-01', undefined],
    ['the base currency needs none (rate 1)', { currency: 'EUR' }, '2027-06-01', undefined],
    ['no amount: none', undefined, '2027-06-01', undefined],
  ])('%s', (_what, amount, closeDate, expected) => {
    expect(closeRateFor(amount, 'EUR', ratesOn(rates, closeDate))).toEqual(expected);
  });

  it('the close date is the local date in the reporting time zone, the same function analytics cuts periods with', () => {
    // 23:30 UTC on 28 Feb is already 1 March in Berlin: the March rate applies there, the February one in UTC.
    expect(kernelLocalDate('2027-02-28T23:30:00.000Z', { timezone: 'Europe/Berlin' })).toBe('2027-03-01');
    expect(kernelLocalDate('2027-02-28T23:30:00.000Z', { timezone: 'UTC' })).toBe('2027-02-28');
    expect(localDate).toBe(kernelLocalDate);
  });
});
