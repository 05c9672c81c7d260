import { describe, expect, it } from 'vitest';
import { signLink, verifyLink, type LinkPayload } from '../../domain/approvals/links';
import {
  MAX_STEP_TIMEOUT_SECONDS,
  defaultPolicy,
  isApprover,
  isInvolvedInContract,
  largestDiscountPercent,
  planChain,
  type ApprovalPolicyRules,
  type ContractFacts,
} from '../../domain/approvals/policy';
import { PutApprovalPolicyBody } from '../../domain/approvals/schemas';
import { adaptTimeoutPaths, resolveIntrinsics } from '../../infra/local/local-workflow';

const DEFAULTS = { timeoutSeconds: 86_400, escalationTimeoutSeconds: 43_200 };
const facts = (amount: number, discount = '0', nonStandardTerms = false, currency = 'EUR'): ContractFacts => ({
  total: { amount, currency },
  largestDiscountPercent: discount,
  nonStandardTerms,
});
const names = (policy: ApprovalPolicyRules, contract: ContractFacts) => planChain(policy, contract, DEFAULTS).map((level) => level.name);

describe('the default policy', () => {
  const policy = defaultPolicy('EUR');

  it('asks a manager for every contract', () => {
    expect(names(policy, facts(1))).toEqual(['Manager']);
  });

  it('adds finance at 50,000.00 in the base currency, not just below', () => {
    expect(names(policy, facts(4_999_999))).toEqual(['Manager']);
    expect(names(policy, facts(5_000_000))).toEqual(['Manager', 'Finance']);
  });

  it('adds finance for any discount above 20%, not at 20%', () => {
    expect(names(policy, facts(100, '20'))).toEqual(['Manager']);
    expect(names(policy, facts(100, '20.0001'))).toEqual(['Manager', 'Finance']);
  });

  it('routes a contract in another currency to finance: without exchange rates, more approvers, never fewer', () => {
    const [, finance] = planChain(policy, facts(100, '0', false, 'USD'), DEFAULTS);
    expect(finance?.name).toBe('Finance');
    expect(finance?.reasons[0]).toMatch(/no exchange rate/);
  });

  it('takes the stage defaults where a level sets no timeout', () => {
    const [manager] = planChain(policy, facts(100), DEFAULTS);
    expect(manager).toMatchObject({ index: 0, timeoutSeconds: 86_400, escalationTimeoutSeconds: 43_200, escalateTo: { role: 'admin' } });
  });
});

describe('planning a custom chain', () => {
  const policy: ApprovalPolicyRules = {
    directors: ['fiona'],
    levels: [
      { name: 'Legal', approvers: { users: ['lee'] }, when: { nonStandardTerms: true }, escalateTo: { role: 'admin' }, timeoutSeconds: 60 },
      { name: 'Manager', approvers: { role: 'manager' }, escalateTo: { role: 'admin' } },
      { name: 'Director', approvers: { role: 'finance', directorsOnly: true }, when: { totalAtLeast: { amount: 50_000_000, currency: 'EUR' } }, escalateTo: { role: 'admin' } },
    ],
  };

  it('keeps policy order, numbers the levels that apply from 0 and says why each applies', () => {
    const chain = planChain(policy, facts(60_000_000, '0', true), DEFAULTS);
    expect(chain.map((level) => [level.index, level.name, level.reasons])).toEqual([
      [0, 'Legal', ['non-standard terms']],
      [1, 'Manager', ['every contract']],
      [2, 'Director', ['total 600000.00 EUR ≥ 500000.00']],
    ]);
    expect(chain[0]?.timeoutSeconds).toBe(60);
  });

  it('skips levels whose conditions do not hold', () => {
    expect(names(policy, facts(100))).toEqual(['Manager']);
  });

  it('resolves directorsOnly to the listed directors, who must also hold the role', () => {
    const director = planChain(policy, facts(60_000_000), DEFAULTS).find((level) => level.name === 'Director')!;
    expect(director.approvers).toEqual({ role: 'finance', users: ['fiona'] });
    expect(isApprover(director.approvers, { tenantId: 't', userId: 'fiona', roles: ['finance'] })).toBe(true);
    expect(isApprover(director.approvers, { tenantId: 't', userId: 'fred', roles: ['finance'] })).toBe(false);
    expect(isApprover(director.approvers, { tenantId: 't', userId: 'fiona', roles: ['manager'] })).toBe(false);
  });

  it('caps a step timeout where the local runner would overflow its timers', () => {
    const long: ApprovalPolicyRules = { directors: [], levels: [{ name: 'Slow', approvers: { role: 'manager' }, escalateTo: { role: 'admin' }, timeoutSeconds: 10 ** 8 }] };
    expect(planChain(long, facts(1), DEFAULTS)[0]?.timeoutSeconds).toBe(MAX_STEP_TIMEOUT_SECONDS);
  });
});

describe('who decides', () => {
  it('matches a role, named users, and nobody for an empty spec', () => {
    const rep = { tenantId: 't', userId: 'bob', roles: ['rep'] as const };
    expect(isApprover({ role: 'manager' }, { ...rep, roles: ['manager'] })).toBe(true);
    expect(isApprover({ role: 'manager' }, rep)).toBe(false);
    expect(isApprover({ users: ['bob'] }, rep)).toBe(true);
    expect(isApprover({}, rep)).toBe(false);
  });

  it('never lets the submitter or the owner decide', () => {
    const alice = { tenantId: 't', userId: 'alice', roles: ['manager'] as const };
    expect(isInvolvedInContract(alice, { submittedBy: 'alice', owner: 'bob' })).toBe(true);
    expect(isInvolvedInContract(alice, { submittedBy: 'bob', owner: 'alice' })).toBe(true);
    expect(isInvolvedInContract(alice, { submittedBy: 'bob', owner: 'bob' })).toBe(false);
  });
});

describe('the largest discount', () => {
  const line = (gross: number, discount: number, discountPercent?: string) => ({ discountPercent, totals: { gross: { amount: gross }, discount: { amount: discount } } });

  it('takes the quote-level, line and effective discounts, and a discount amount as a percent of its line', () => {
    expect(largestDiscountPercent({ discountPercent: '5', lines: [line(10_000, 500, '5')], totals: { subtotal: { amount: 10_000 }, discount: { amount: 500 } } })).toBe('5');
    // 2,500 off a 10,000 line is 25%, though the whole quote is only 12.5% off.
    expect(
      largestDiscountPercent({ lines: [line(10_000, 2_500), line(10_000, 0)], totals: { subtotal: { amount: 20_000 }, discount: { amount: 2_500 } } }),
    ).toBe('25');
    expect(largestDiscountPercent({ lines: [line(3, 1)], totals: { subtotal: { amount: 3 }, discount: { amount: 1 } } })).toBe('33.3333');
    expect(largestDiscountPercent({ lines: [line(0, 0)], totals: { subtotal: { amount: 0 }, discount: { amount: 0 } } })).toBe('0');
  });

  it('counts a price below the catalog as discount: 1 − net ÷ list, per line and for the quote', () => {
    // A 1,000.00 product charged 700.00 with no discount at all: 30% below the list.
    const cut = { totals: { list: { amount: 100_000 }, gross: { amount: 70_000 }, discount: { amount: 0 } } };
    expect(largestDiscountPercent({ lines: [cut], totals: { list: { amount: 100_000 }, subtotal: { amount: 70_000 }, discount: { amount: 0 } } })).toBe('30');
    // Beside a line at its price, the line still shows its 30%; a line above its list is no discount.
    const above = { totals: { list: { amount: 10_000 }, gross: { amount: 12_000 }, discount: { amount: 0 } } };
    expect(
      largestDiscountPercent({ lines: [cut, line(100_000, 0), above], totals: { list: { amount: 210_000 }, subtotal: { amount: 182_000 }, discount: { amount: 0 } } }),
    ).toBe('30');
    expect(largestDiscountPercent({ lines: [above], totals: { list: { amount: 10_000 }, subtotal: { amount: 12_000 }, discount: { amount: 0 } } })).toBe('0');
  });
});

describe('the policy body', () => {
  const level = { name: 'Finance', approvers: { role: 'finance' }, escalateTo: { role: 'admin' } };

  it('names the field of a directors-only level without directors', () => {
    const result = PutApprovalPolicyBody.safeParse({ levels: [{ ...level, approvers: { role: 'finance', directorsOnly: true } }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['directors']);
  });

  it('refuses an approver spec with neither role nor users, and directorsOnly with users', () => {
    const empty = PutApprovalPolicyBody.safeParse({ levels: [{ ...level, approvers: {} }] });
    expect(empty.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['levels.0.approvers']);
    const both = PutApprovalPolicyBody.safeParse({ levels: [{ ...level, approvers: { users: ['a'], directorsOnly: true } }], directors: ['a'] });
    expect(both.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['levels.0.approvers.directorsOnly']);
  });

  it('refuses an empty policy and sub-second or overlong timeouts', () => {
    expect(PutApprovalPolicyBody.safeParse({ levels: [] }).success).toBe(false);
    expect(PutApprovalPolicyBody.safeParse({ levels: [{ ...level, timeoutSeconds: 0 }] }).success).toBe(false);
    expect(PutApprovalPolicyBody.safeParse({ levels: [{ ...level, timeoutSeconds: MAX_STEP_TIMEOUT_SECONDS + 1 }] }).success).toBe(false);
    expect(PutApprovalPolicyBody.safeParse({ levels: [{ ...level, timeoutSeconds: 3600 }] }).success).toBe(true);
  });
});

describe('signed approval links', () => {
  const payload: LinkPayload = { t: 'acme', r: 'c1-r1-l1', c: 'c1', v: 1, u: 'alice', g: ['manager'], d: 'approve', exp: 2_000_000_000, iat: 1_893_000_000 };
  const now = new Date('2030-01-01T00:00:00Z');

  it('round-trips a genuine token', () => {
    expect(verifyLink(signLink(payload, 'secret'), 'secret', now)).toEqual({ payload });
  });

  it('refuses another key, a changed payload, a changed signature and garbage', () => {
    const token = signLink(payload, 'secret');
    const [body, signature] = token.split('.') as [string, string];
    expect(verifyLink(token, 'other', now).problem).toBe('invalid');
    const forged = Buffer.from(JSON.stringify({ ...payload, d: 'reject' })).toString('base64url');
    expect(verifyLink(`${forged}.${signature}`, 'secret', now).problem).toBe('invalid');
    expect(verifyLink(`${body}.${signature.slice(0, -1)}`, 'secret', now).problem).toBe('invalid');
    expect(verifyLink('not-a-token', 'secret', now).problem).toBe('invalid');
    const notJson = 'bm90IGpzb24';
    expect(verifyLink(`${notJson}.${signLink(payload, 'secret').split('.')[1]}`, 'secret', now).problem).toBe('invalid');
  });

  it('expires at its expiry', () => {
    const token = signLink({ ...payload, exp: now.getTime() / 1000 }, 'secret');
    expect(verifyLink(token, 'secret', now).problem).toBe('expired');
    expect(verifyLink(token, 'secret', new Date(now.getTime() - 1000)).payload).toBeDefined();
  });

  it('counts a link made before links carried their issue time as expired', () => {
    const { iat: _iat, ...old } = payload;
    expect(verifyLink(signLink(old, 'secret'), 'secret', now).problem).toBe('expired');
  });
});

describe('the local runner of the synthesized ASL', () => {
  it('resolves Fn::Join and pseudo-parameter Refs, and refuses anything else', () => {
    expect(resolveIntrinsics({ Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke']] } })).toEqual({
      Resource: 'arn:aws:states:::lambda:invoke',
    });
    expect(() => resolveIntrinsics({ Ref: 'SomeBucket' })).toThrow(/Cannot resolve Ref/);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toThrow(/Fn::GetAtt/);
  });

  it('points TimeoutSecondsPath of waiting tasks at their Payload, and refuses a task that does not pass the value', () => {
    const definition = {
      StartAt: 'Wait',
      States: {
        Wait: { Type: 'Task', TimeoutSecondsPath: '$.timeoutSeconds', Parameters: { FunctionName: 'f', Payload: { 'timeoutSeconds.$': '$.timeoutSeconds' } }, End: true },
        Plain: { Type: 'Task', TimeoutSeconds: 5, End: true },
      },
    };
    const adapted = adaptTimeoutPaths(definition);
    expect(adapted.States.Wait?.TimeoutSecondsPath).toBe('$.Payload.timeoutSeconds');
    expect(adapted.States.Plain).toEqual(definition.States.Plain);
    const broken = { ...definition, States: { Wait: { ...definition.States.Wait, Parameters: { FunctionName: 'f', Payload: {} } } } };
    expect(() => adaptTimeoutPaths(broken)).toThrow(/must pass \$\.timeoutSeconds/);
  });
});
