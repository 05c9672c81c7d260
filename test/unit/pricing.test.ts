import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../../domain/errors';
import {
  effectiveDiscountPercent,
  exceedsDiscountLimit,
  priceQuote,
  type LineTotals,
  type PricedLineInput,
  type QuoteTotals,
} from '../../domain/quotes/pricing';

const RUNS = { numRuns: 250 };

/** The issues of the UnprocessableError that `run` throws (fails the test if it throws anything else or nothing). */
function refusal(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnprocessableError);
    return (error as UnprocessableError).errors;
  }
  throw new Error('expected an UnprocessableError, nothing was thrown');
}

function paths(run: () => unknown): string[] {
  return refusal(run).map((issue) => issue.path);
}

/** One line with a given quantity and unit price, no discount, no tax: its gross shows the rounding. */
function grossOf(quantity: string, unitPrice: number): number {
  return priceQuote([{ quantity, unitPrice, taxPercent: '0' }]).totals.subtotal;
}

describe('priceQuote: examples', () => {
  it('prices the documented example: 2 × 1000.00 with 10% off and 13% tax', () => {
    const result = priceQuote([{ quantity: '2', unitPrice: 100000, discountPercent: '10', taxPercent: '13' }]);
    expect(result.lines).toEqual([{ list: 200000, gross: 200000, discount: 20000, net: 180000, tax: 23400, total: 203400 }]);
    expect(result.totals).toEqual({ subtotal: 200000, discount: 20000, tax: 23400, total: 203400, list: 200000 });
  });

  it('rounds the gross half-even to minor units', () => {
    expect(grossOf('0.5', 1)).toBe(0);
    expect(grossOf('1.5', 1)).toBe(2);
    expect(grossOf('2.5', 1)).toBe(2);
    expect(grossOf('3.5', 1)).toBe(4);
    expect(grossOf('0.25', 10)).toBe(2); // 2.5
    expect(grossOf('0.75', 10)).toBe(8); // 7.5
    expect(grossOf('0.251', 10)).toBe(3); // 2.51: above the half goes up
    expect(grossOf('0.249', 10)).toBe(2); // 2.49
    expect(grossOf('1.000001', 1500000)).toBe(1500002); // 1500001.5 → even neighbour 1500002
    expect(grossOf('0.000001', 2500000)).toBe(2); // 2.5 with 6 quantity decimals
  });

  it('rounds a percent discount half-even', () => {
    const discountOn = (unitPrice: number): number =>
      priceQuote([{ quantity: '1', unitPrice, discountPercent: '10', taxPercent: '0' }]).totals.discount;
    expect(discountOn(5)).toBe(0); // 0.5
    expect(discountOn(15)).toBe(2); // 1.5
    expect(discountOn(25)).toBe(2); // 2.5
    expect(discountOn(35)).toBe(4); // 3.5
  });

  it('rounds tax half-even on the net', () => {
    const taxOn = (unitPrice: number, taxPercent: string): number =>
      priceQuote([{ quantity: '1', unitPrice, taxPercent }]).totals.tax;
    expect(taxOn(50, '1')).toBe(0); // 0.5
    expect(taxOn(150, '1')).toBe(2); // 1.5
    expect(taxOn(250, '1')).toBe(2); // 2.5
    expect(taxOn(1000, '12.5')).toBe(125);
    expect(taxOn(333, '7.25')).toBe(24); // 24.1425
    expect(taxOn(1, '100')).toBe(1);
  });

  it('applies the quote-level discount to each line after its own discount', () => {
    const result = priceQuote(
      [
        { quantity: '1', unitPrice: 10000, discountPercent: '10', taxPercent: '20' },
        { quantity: '3', unitPrice: 333, taxPercent: '0' },
      ],
      '5',
    );
    // line 0: gross 10000, own 1000, quote round(9000 × 5%) = 450 → discount 1450, net 8550, tax 1710
    // line 1: gross 999, quote round(49.95) = 50 → net 949, no tax
    expect(result.lines).toEqual([
      { list: 10000, gross: 10000, discount: 1450, net: 8550, tax: 1710, total: 10260 },
      { list: 999, gross: 999, discount: 50, net: 949, tax: 0, total: 949 },
    ]);
    expect(result.totals).toEqual({ subtotal: 10999, discount: 1500, tax: 1710, total: 11209, list: 10999 });
  });

  it('rounds the quote-level discount per line, not on the subtotal', () => {
    const line: PricedLineInput = { quantity: '1', unitPrice: 10, taxPercent: '0' };
    // 5% of 10 = 0.5 → 0 on each line; 5% of the subtotal 20 would have been 1
    expect(priceQuote([line, line], '5').totals).toEqual({ subtotal: 20, discount: 0, tax: 0, total: 20, list: 20 });
    // 15% of 10 = 1.5 → 2 on each line
    expect(priceQuote([line, line], '15').totals).toEqual({ subtotal: 20, discount: 4, tax: 0, total: 16, list: 20 });
  });

  it('uses a discount amount as given, then taxes the net', () => {
    const result = priceQuote([{ quantity: '1.5', unitPrice: 1999, discountAmount: 998, taxPercent: '13' }]);
    // gross 2998.5 → 2998 (even), net 2000, tax 260
    expect(result.lines).toEqual([{ list: 2998, gross: 2998, discount: 998, net: 2000, tax: 260, total: 2260 }]);
    expect(result.totals).toEqual({ subtotal: 2998, discount: 998, tax: 260, total: 2260, list: 2998 });
  });

  it('accepts a discount amount equal to the gross, and a quote discount on top of a discount amount', () => {
    expect(priceQuote([{ quantity: '2', unitPrice: 500, discountAmount: 1000, taxPercent: '20' }]).totals).toEqual({
      subtotal: 1000,
      discount: 1000,
      tax: 0,
      total: 0,
      list: 1000,
    });
    expect(priceQuote([{ quantity: '1', unitPrice: 1000, discountAmount: 100, taxPercent: '10' }], '10').lines).toEqual([
      { list: 1000, gross: 1000, discount: 190, net: 810, tax: 81, total: 891 },
    ]);
  });

  it('prices a line charged below its catalog price as a discount from the list', () => {
    // The catalog says 1,000.00; charged 800.00 with 10% off: list 2,000.00, net 1,440.00 → 28% below the list.
    const result = priceQuote([{ quantity: '2', unitPrice: 80000, listUnitPrice: 100000, discountPercent: '10', taxPercent: '0' }]);
    expect(result.lines).toEqual([{ list: 200000, gross: 160000, discount: 16000, net: 144000, tax: 0, total: 144000 }]);
    expect(result.totals).toMatchObject({ subtotal: 160000, discount: 16000, list: 200000 });
    expect(effectiveDiscountPercent(result.totals)).toBe('28.00');
    expect(exceedsDiscountLimit(result.totals, '20')).toBe(true);
    // Charged above the catalog: no discount, never a negative one.
    const above = priceQuote([{ quantity: '1', unitPrice: 120000, listUnitPrice: 100000, taxPercent: '0' }]);
    expect(effectiveDiscountPercent(above.totals)).toBe('0.00');
  });

  it('leaves the total at the net when tax is zero', () => {
    const result = priceQuote([{ quantity: '4', unitPrice: 2500, discountPercent: '12.5', taxPercent: '0' }]);
    expect(result.lines).toEqual([{ list: 10000, gross: 10000, discount: 1250, net: 8750, tax: 0, total: 8750 }]);
    expect(result.totals).toEqual({ subtotal: 10000, discount: 1250, tax: 0, total: 8750, list: 10000 });
  });

  it('prices a 100% quote discount to zero and an empty quote to zeros', () => {
    expect(priceQuote([{ quantity: '3', unitPrice: 777, taxPercent: '25' }], '100').totals).toEqual({
      subtotal: 2331,
      discount: 2331,
      tax: 0,
      total: 0,
      list: 2331,
    });
    expect(priceQuote([])).toEqual({ lines: [], totals: { subtotal: 0, discount: 0, tax: 0, total: 0, list: 0 } });
  });

  it('handles amounts near Number.MAX_SAFE_INTEGER exactly', () => {
    const max = Number.MAX_SAFE_INTEGER; // 9007199254740991
    expect(priceQuote([{ quantity: '1', unitPrice: max, taxPercent: '0' }]).totals.total).toBe(max);
    // 0.5 × max = 4503599627370495.5 → 4503599627370496 (even)
    expect(priceQuote([{ quantity: '0.5', unitPrice: max, taxPercent: '0' }]).totals.subtotal).toBe(4503599627370496);
  });
});

describe('priceQuote: refusals name the field', () => {
  const ok: PricedLineInput = { quantity: '1', unitPrice: 1000, taxPercent: '10' };

  it('refuses both discount kinds on one line', () => {
    expect(paths(() => priceQuote([ok, { ...ok, discountAmount: 10, discountPercent: '5' }]))).toEqual([
      'body.lines.1.discountAmount',
      'body.lines.1.discountPercent',
    ]);
    // present-but-zero still counts as present
    expect(paths(() => priceQuote([{ ...ok, discountAmount: 0, discountPercent: '0' }]))).toEqual([
      'body.lines.0.discountAmount',
      'body.lines.0.discountPercent',
    ]);
  });

  it('refuses a discount amount above the gross, or one that is not a non-negative integer', () => {
    const issues = refusal(() => priceQuote([ok, { ...ok, quantity: '0.5', discountAmount: 501 }]));
    expect(issues).toEqual([{ path: 'body.lines.1.discountAmount', message: expect.stringContaining('(500)') }]);
    for (const discountAmount of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(paths(() => priceQuote([{ ...ok, discountAmount }]))).toEqual(['body.lines.0.discountAmount']);
    }
  });

  it('refuses a percent outside 0..100 or not a plain decimal', () => {
    for (const bad of ['100.01', '101', '-1', '-0', 'abc', '', ' 10', '10 ', '1e1', '10.', '.5', '+5', '0x10', '10.1234567', 'NaN']) {
      expect(paths(() => priceQuote([{ ...ok, discountPercent: bad }]))).toEqual(['body.lines.0.discountPercent']);
      expect(paths(() => priceQuote([{ ...ok, taxPercent: bad }]))).toEqual(['body.lines.0.taxPercent']);
      expect(paths(() => priceQuote([ok], bad))).toEqual(['body.discountPercent']);
    }
    for (const good of ['0', '100', '100.000000', '0.000001', '12.5', '007']) {
      expect(() => priceQuote([{ ...ok, discountPercent: good, taxPercent: good }], good)).not.toThrow();
    }
  });

  it('refuses a quantity that is not a positive decimal with at most 6 decimals', () => {
    for (const bad of ['0', '0.000000', '-1', '1.1234567', 'abc', '', '1e3', '1,5', ' 1', 'Infinity']) {
      expect(paths(() => priceQuote([ok, ok, { ...ok, quantity: bad }]))).toEqual(['body.lines.2.quantity']);
    }
    expect(grossOf('0.000001', 1000000)).toBe(1);
  });

  it('refuses a unit price that is not a non-negative safe integer', () => {
    for (const unitPrice of [-1, 10.5, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      expect(paths(() => priceQuote([{ ...ok, unitPrice }]))).toEqual(['body.lines.0.unitPrice']);
    }
  });

  it('refuses amounts above Number.MAX_SAFE_INTEGER', () => {
    // gross 10^16
    expect(paths(() => priceQuote([{ quantity: '10000000', unitPrice: 1_000_000_000, taxPercent: '0' }]))).toEqual([
      'body.lines.0.quantity',
    ]);
    // gross 8·10^15 is safe, but the line total with 20% tax (9.6·10^15) is not
    expect(paths(() => priceQuote([{ quantity: '8000000', unitPrice: 1_000_000_000, taxPercent: '20' }]))).toEqual([
      'body.lines.0.quantity',
    ]);
    // each line is safe, the sum is not
    const half: PricedLineInput = { quantity: '5000000', unitPrice: 1_000_000_000, taxPercent: '0' };
    expect(paths(() => priceQuote([half, half]))).toEqual(['body.lines']);
  });

  it('reports every problem at once', () => {
    expect(
      paths(() =>
        priceQuote(
          [
            { ...ok, quantity: '0' },
            ok,
            { ...ok, discountPercent: '150', taxPercent: 'x' },
          ],
          '200',
        ),
      ),
    ).toEqual(['body.discountPercent', 'body.lines.0.quantity', 'body.lines.2.discountPercent', 'body.lines.2.taxPercent']);
  });
});

describe('effectiveDiscountPercent and exceedsDiscountLimit', () => {
  const totals = (subtotal: number, discount: number): QuoteTotals => ({ subtotal, discount, tax: 0, total: subtotal - discount });

  it('is discount / subtotal × 100 with 2 decimals, half-even', () => {
    expect(effectiveDiscountPercent(priceQuote([{ quantity: '2', unitPrice: 100000, discountPercent: '10', taxPercent: '13' }]).totals)).toBe(
      '10.00',
    );
    expect(effectiveDiscountPercent(totals(0, 0))).toBe('0.00');
    expect(effectiveDiscountPercent(totals(3, 1))).toBe('33.33');
    expect(effectiveDiscountPercent(totals(3, 2))).toBe('66.67');
    expect(effectiveDiscountPercent(totals(800, 1))).toBe('0.12'); // 0.125 → even
    expect(effectiveDiscountPercent(totals(800, 3))).toBe('0.38'); // 0.375 → even
    expect(effectiveDiscountPercent(totals(100000, 10005))).toBe('10.00'); // 10.005 → even
    expect(effectiveDiscountPercent(totals(100000, 10015))).toBe('10.02'); // 10.015 → even
    expect(effectiveDiscountPercent(totals(7, 7))).toBe('100.00');
    expect(effectiveDiscountPercent(totals(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1))).toBe('100.00');
    expect(() => effectiveDiscountPercent(totals(1.5, 0))).toThrow(RangeError);
  });

  it('compares the 2-decimal effective percent with the limit, strictly', () => {
    expect(exceedsDiscountLimit(totals(100000, 10000), '10')).toBe(false);
    expect(exceedsDiscountLimit(totals(100000, 10000), '9.99')).toBe(true);
    expect(exceedsDiscountLimit(totals(100000, 10005), '10')).toBe(false); // shown as 10.00
    expect(exceedsDiscountLimit(totals(100000, 10006), '10')).toBe(true); // shown as 10.01
    expect(exceedsDiscountLimit(totals(0, 0), '0')).toBe(false);
    expect(exceedsDiscountLimit(totals(1000, 1), '0')).toBe(true);
    expect(exceedsDiscountLimit(totals(1000, 1000), '100')).toBe(false);
    for (const bad of ['101', '-1', 'ten', '']) expect(() => exceedsDiscountLimit(totals(1, 0), bad)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Property-based tests. Lines are generated as exact integers (quantity = units / 10^scale, percents in
// hundredths) so an independent BigInt oracle can recompute every amount.

interface LineSpec {
  units: number; // quantity × 10^scale
  scale: number; // 0..3 quantity decimals
  unitPrice: number;
  discount: { kind: 'none' } | { kind: 'percent'; hundredths: number } | { kind: 'amount'; permille: number };
  taxHundredths: number; // 0..3000 → 0..30.00 %
  taxScale: number; // how many decimals the tax string is written with
}

/** An exact decimal string for value / 10^scale, e.g. (1500, 3) → "1.500", (5, 2) → "0.05". */
function decimal(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const digits = value.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Round-half-even of numerator / denominator (both ≥ 0), in BigInt: the oracle's own rounding. */
function halfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}

/** Exact product quantity × unitPrice as a fraction over 10^scale; the discount amount is ≤ its floor, so ≤ gross. */
function discountAmountOf(spec: LineSpec, factor: number, permille: number): number {
  const floorGross = (BigInt(spec.units * factor) * BigInt(spec.unitPrice)) / 10n ** BigInt(spec.scale);
  return Number((floorGross * BigInt(permille)) / 1000n);
}

/** The line input; `factor` scales the quantity (the discount amount stays that of factor 1). */
function toInput(spec: LineSpec, factor = 1): PricedLineInput {
  const taxDivisor = 10 ** (2 - spec.taxScale);
  const line: PricedLineInput = {
    quantity: decimal(BigInt(spec.units * factor), spec.scale),
    unitPrice: spec.unitPrice,
    taxPercent: decimal(BigInt(Math.floor(spec.taxHundredths / taxDivisor)), spec.taxScale),
  };
  if (spec.discount.kind === 'percent') line.discountPercent = decimal(BigInt(spec.discount.hundredths), 2);
  if (spec.discount.kind === 'amount') line.discountAmount = discountAmountOf(spec, 1, spec.discount.permille);
  return line;
}

/** Parses the oracle's own inputs back into hundredths of a percent (only 0..2 decimal strings are generated). */
function hundredthsOf(percent: string): bigint {
  const [whole = '0', fraction = ''] = percent.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** Independent recomputation of the rounding rule with BigInt fractions. */
function oracle(lines: readonly PricedLineInput[], quoteDiscountPercent: string | undefined): { lines: LineTotals[]; totals: QuoteTotals } {
  const quoteHundredths = quoteDiscountPercent === undefined ? 0n : hundredthsOf(quoteDiscountPercent);
  const out = lines.map((line) => {
    const [whole = '0', fraction = ''] = line.quantity.split('.');
    const quantityScaled = BigInt(whole + fraction);
    const gross = halfEven(quantityScaled * BigInt(line.unitPrice), 10n ** BigInt(fraction.length));
    const own =
      line.discountAmount !== undefined
        ? BigInt(line.discountAmount)
        : line.discountPercent !== undefined
          ? halfEven(gross * hundredthsOf(line.discountPercent), 10000n)
          : 0n;
    const discount = own + halfEven((gross - own) * quoteHundredths, 10000n);
    const net = gross - discount;
    const tax = halfEven(net * hundredthsOf(line.taxPercent), 10000n);
    return { gross, discount, net, tax, total: net + tax };
  });
  const sum = (pick: (line: (typeof out)[number]) => bigint): number => Number(out.reduce((acc, line) => acc + pick(line), 0n));
  return {
    lines: out.map((line) => ({
      list: Number(line.gross),
      gross: Number(line.gross),
      discount: Number(line.discount),
      net: Number(line.net),
      tax: Number(line.tax),
      total: Number(line.total),
    })),
    totals: { subtotal: sum((l) => l.gross), discount: sum((l) => l.discount), tax: sum((l) => l.tax), total: sum((l) => l.total), list: sum((l) => l.gross) },
  };
}

// quantity ≤ 9999.999, unit price ≤ 10^9, ≤ 8 lines: even ×10 the totals stay far below 2^53.
const lineSpec: fc.Arbitrary<LineSpec> = fc.record({
  scaleAndUnits: fc.integer({ min: 0, max: 3 }).chain((scale) => fc.tuple(fc.constant(scale), fc.integer({ min: 1, max: 10 ** (4 + scale) - 1 }))),
  unitPrice: fc.oneof(fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 0, max: 1000 })),
  discount: fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.integer({ min: 0, max: 10000 }).map((hundredths) => ({ kind: 'percent' as const, hundredths })),
    fc.integer({ min: 0, max: 1000 }).map((permille) => ({ kind: 'amount' as const, permille })),
  ),
  taxHundredths: fc.integer({ min: 0, max: 3000 }),
  taxScale: fc.integer({ min: 0, max: 2 }),
}).map(({ scaleAndUnits: [scale, units], ...rest }) => ({ scale, units, ...rest }));

const lineSpecs = fc.array(lineSpec, { minLength: 0, maxLength: 8 });
const quoteDiscount = fc.option(
  fc.integer({ min: 0, max: 10000 }).map((hundredths) => decimal(BigInt(hundredths), 2)),
  { nil: undefined },
);

const AMOUNT_KEYS = ['gross', 'discount', 'net', 'tax', 'total'] as const;
const TOTAL_KEYS = ['subtotal', 'discount', 'tax', 'total'] as const;

describe('priceQuote: properties', () => {
  it('matches an independent BigInt recomputation of the rounding rule exactly', () => {
    fc.assert(
      fc.property(lineSpecs, quoteDiscount, (specs, quote) => {
        const inputs = specs.map((spec) => toInput(spec));
        expect(priceQuote(inputs, quote)).toEqual(oracle(inputs, quote));
      }),
      RUNS,
    );
  });

  it('total = subtotal − discount + tax exactly, per line and for the quote', () => {
    fc.assert(
      fc.property(lineSpecs, quoteDiscount, (specs, quote) => {
        const { lines, totals } = priceQuote(
          specs.map((spec) => toInput(spec)),
          quote,
        );
        expect(totals.total).toBe(totals.subtotal - totals.discount + totals.tax);
        for (const line of lines) {
          expect(line.net).toBe(line.gross - line.discount);
          expect(line.total).toBe(line.net + line.tax);
        }
      }),
      RUNS,
    );
  });

  it('every amount is a non-negative safe integer', () => {
    fc.assert(
      fc.property(lineSpecs, quoteDiscount, (specs, quote) => {
        const { lines, totals } = priceQuote(
          specs.map((spec) => toInput(spec)),
          quote,
        );
        const amounts = [...lines.flatMap((line) => AMOUNT_KEYS.map((key) => line[key])), ...TOTAL_KEYS.map((key) => totals[key])];
        for (const amount of amounts) {
          expect(Number.isSafeInteger(amount)).toBe(true);
          expect(amount).toBeGreaterThanOrEqual(0);
          expect(Object.is(amount, -0)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('line amounts sum to the quote totals (no drift)', () => {
    fc.assert(
      fc.property(lineSpecs, quoteDiscount, (specs, quote) => {
        const { lines, totals } = priceQuote(
          specs.map((spec) => toInput(spec)),
          quote,
        );
        expect(lines).toHaveLength(specs.length);
        const sum = (key: (typeof AMOUNT_KEYS)[number] | 'list'): number => lines.reduce((acc, line) => acc + line[key], 0);
        expect(totals).toEqual({ subtotal: sum('gross'), discount: sum('discount'), tax: sum('tax'), total: sum('total'), list: sum('list') });
      }),
      RUNS,
    );
  });

  it('the discount never exceeds the subtotal (nor a line discount its gross)', () => {
    fc.assert(
      fc.property(lineSpecs, quoteDiscount, (specs, quote) => {
        const { lines, totals } = priceQuote(
          specs.map((spec) => toInput(spec)),
          quote,
        );
        expect(totals.discount).toBeLessThanOrEqual(totals.subtotal);
        for (const line of lines) expect(line.discount).toBeLessThanOrEqual(line.gross);
        const percent = Number(effectiveDiscountPercent(totals));
        expect(percent).toBeGreaterThanOrEqual(0);
        expect(percent).toBeLessThanOrEqual(100);
      }),
      RUNS,
    );
  });

  it('scaling every quantity by 10 never lowers the total (nor the subtotal)', () => {
    fc.assert(
      fc.property(lineSpecs, quoteDiscount, (specs, quote) => {
        const base = priceQuote(
          specs.map((spec) => toInput(spec)),
          quote,
        );
        const scaled = priceQuote(
          specs.map((spec) => toInput(spec, 10)),
          quote,
        );
        expect(scaled.totals.total).toBeGreaterThanOrEqual(base.totals.total);
        expect(scaled.totals.subtotal).toBeGreaterThanOrEqual(base.totals.subtotal);
        scaled.lines.forEach((line, i) => expect(line.total).toBeGreaterThanOrEqual(base.lines[i]?.total ?? Number.POSITIVE_INFINITY));
      }),
      RUNS,
    );
  });

  it('permuting the lines leaves the totals unchanged and each line priced the same', () => {
    const specsAndOrder = lineSpecs.chain((specs) =>
      fc.tuple(
        fc.constant(specs),
        fc.shuffledSubarray(
          specs.map((_, i) => i),
          { minLength: specs.length, maxLength: specs.length },
        ),
      ),
    );
    fc.assert(
      fc.property(specsAndOrder, quoteDiscount, ([specs, order], quote) => {
        const inputs = specs.map((spec) => toInput(spec));
        const original = priceQuote(inputs, quote);
        const permuted = priceQuote(
          order.map((i) => inputs[i] as PricedLineInput),
          quote,
        );
        expect(permuted.totals).toEqual(original.totals);
        expect(permuted.lines).toEqual(order.map((i) => original.lines[i]));
      }),
      RUNS,
    );
  });

  it('effectiveDiscountPercent matches a BigInt half-even recomputation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 10 ** 6 }), (subtotal, perMillion) => {
        const discount = Number((BigInt(subtotal) * BigInt(perMillion)) / 1_000_000n);
        const expected = subtotal === 0 ? '0.00' : decimal(halfEven(BigInt(discount) * 10000n, BigInt(subtotal)), 2);
        expect(effectiveDiscountPercent({ subtotal, discount })).toBe(expected);
      }),
      RUNS,
    );
  });
});
