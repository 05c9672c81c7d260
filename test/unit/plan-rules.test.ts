/**
 * Pure rules of planning (domain/analytics/plan-rules.ts): what a targets request sets or removes once checked,
 * each refusal naming its field, and what a forecast call must hold.
 */
import { describe, expect, it } from 'vitest';
import { assertForecastCall, planTargets, type RequestedTarget } from '../../domain/analytics/plan-rules';
import { ValidationError, type FieldIssue } from '../../domain/errors';

const tenant = { tenantId: 'acme', baseCurrency: 'EUR' };
const eur = (amount: number) => ({ amount, currency: 'EUR' });

function issuesOf(attempt: () => unknown): FieldIssue[] {
  try {
    attempt();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('a targets request', () => {
  it('sets money and counts, removes with null, and keys a tenant target by the tenant id', () => {
    expect(
      planTargets(
        [
          { scope: 'rep', id: 'rita', metric: 'revenue_won', value: eur(4_000_000) },
          { scope: 'team', id: 'east', metric: 'deals_won', value: 10 },
          { scope: 'tenant', metric: 'new_customers', value: 0 },
          { scope: 'tenant', id: 'acme', metric: 'activities', value: null },
        ],
        tenant,
      ),
    ).toEqual([
      { index: 0, scope: 'rep', scopeId: 'rita', metric: 'revenue_won', value: 4_000_000, currency: 'EUR' },
      { index: 1, scope: 'team', scopeId: 'east', metric: 'deals_won', value: 10 },
      { index: 2, scope: 'tenant', scopeId: 'acme', metric: 'new_customers', value: 0 },
      { index: 3, scope: 'tenant', scopeId: 'acme', metric: 'activities', value: null },
    ]);
  });

  it.each<[string, RequestedTarget, FieldIssue['path']]>([
    ['money in another currency', { scope: 'rep', id: 'rita', metric: 'revenue_won', value: { amount: 100, currency: 'USD' } }, 'body.targets.0.value.currency'],
    ['a rep without an id', { scope: 'rep', metric: 'deals_won', value: 1 }, 'body.targets.0.id'],
    ['a rep id that is no user id', { scope: 'rep', id: 'Rita Smith', metric: 'deals_won', value: 1 }, 'body.targets.0.id'],
    ['a team without an id', { scope: 'team', metric: 'deals_won', value: 1 }, 'body.targets.0.id'],
    ['a team id that is no slug', { scope: 'team', id: 'East', metric: 'deals_won', value: 1 }, 'body.targets.0.id'],
    ["another tenant's id", { scope: 'tenant', id: 'globex', metric: 'deals_won', value: 1 }, 'body.targets.0.id'],
  ])('%s is a 400 naming %s', (_, target, path) => {
    expect(issuesOf(() => planTargets([target], tenant)).map((issue) => issue.path)).toEqual([path]);
  });

  it('a target twice in one request is a 400 naming the second, however its tenant id is written', () => {
    const issues = issuesOf(() =>
      planTargets(
        [
          { scope: 'tenant', metric: 'deals_won', value: 5 },
          { scope: 'rep', id: 'rita', metric: 'deals_won', value: 1 },
          { scope: 'tenant', id: 'acme', metric: 'deals_won', value: null },
          { scope: 'rep', id: 'rita', metric: 'activities', value: 1 },
        ],
        tenant,
      ),
    );
    expect(issues).toEqual([{ path: 'body.targets.2', message: 'The deals_won target of tenant acme is in this request already (targets.0)' }]);
  });

  it('says every issue at once', () => {
    const issues = issuesOf(() =>
      planTargets(
        [
          { scope: 'rep', metric: 'deals_won', value: 1 },
          { scope: 'team', id: 'east', metric: 'revenue_won', value: { amount: 1, currency: 'GBP' } },
        ],
        tenant,
      ),
    );
    expect(issues.map((issue) => issue.path)).toEqual(['body.targets.0.id', 'body.targets.1.value.currency']);
  });
});

describe('a forecast call', () => {
  it('holds commit and best case in the base currency, best case at least commit', () => {
    expect(() => assertForecastCall({ commit: eur(100), bestCase: eur(100) }, 'EUR')).not.toThrow();
    expect(() => assertForecastCall({ commit: eur(0), bestCase: eur(250) }, 'EUR')).not.toThrow();
  });

  it('a best case below commit is a 400 naming body.bestCase', () => {
    expect(issuesOf(() => assertForecastCall({ commit: eur(200), bestCase: eur(199) }, 'EUR')).map((issue) => issue.path)).toEqual(['body.bestCase']);
  });

  it('another currency is a 400 naming each field in it', () => {
    const usd = { amount: 300, currency: 'USD' };
    expect(issuesOf(() => assertForecastCall({ commit: usd, bestCase: usd }, 'EUR')).map((issue) => issue.path)).toEqual(['body.commit.currency', 'body.bestCase.currency']);
  });
});
