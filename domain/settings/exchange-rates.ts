/**
 * Use cases: a tenant's dated exchange rates, kept by admins and finance, read by reports (open deals at the
 * latest rate, closed ones at the rate of their close date). A rate is base-currency units per unit of another
 * currency, a decimal string; it holds from its date until the currency's next one.
 */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { ForbiddenError, ValidationError, type FieldIssue } from '../errors';
import { hasAnyRole, RATE_KEEPERS, type Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { versionedWrite } from '../shared/versioned-write';
import type { ExchangeRatesView, PutExchangeRatesInput } from './schemas';
import { getSettings } from './service';

type ExchangeRateItem = EntityItem<SalesDb['entities']['exchangeRate']>;
export type ExchangeRate = Pick<ExchangeRateItem, 'currency' | 'rate' | 'effectiveFrom' | 'updatedAt' | 'updatedBy'>;

/** Sets rates (a rate of the same currency and date is replaced), with one audit entry saying what changed. */
export async function putExchangeRates(deps: Deps, actor: Actor, input: PutExchangeRatesInput): Promise<ExchangeRatesView> {
  if (!hasAnyRole(actor, RATE_KEEPERS)) throw new ForbiddenError('Only admins and finance keep exchange rates');
  const { baseCurrency } = await getSettings(deps, actor);
  assertRatesInput(input, baseCurrency);
  const { tenantId } = actor;
  await versionedWrite(deps, {}, {
    read: async () => {
      const { data } = await deps.db.entities.exchangeRate.get(input.rates.map(({ currency, effectiveFrom }) => ({ tenantId, currency, effectiveFrom }))).go();
      return new Map(data.map((item) => [`${item.currency}@${item.effectiveFrom}`, item]));
    },
    build: (existing) => {
      const now = deps.clock.now().toISOString();
      const changed = input.rates.filter((rate) => existing.get(`${rate.currency}@${rate.effectiveFrom}`)?.rate !== rate.rate);
      if (changed.length === 0) return { result: undefined };
      const changes = Object.fromEntries(
        changed.map((rate) => {
          const before = existing.get(`${rate.currency}@${rate.effectiveFrom}`)?.rate;
          return [`${rate.currency}@${rate.effectiveFrom}`, { ...(before !== undefined && { from: before }), to: rate.rate }];
        }),
      );
      const log = logChange(deps, actor, now, {
        entityType: 'exchangeRates',
        entityId: tenantId,
        action: 'update',
        changes,
        events: [{ type: 'exchange_rates.updated', data: { changes } }],
      });
      return {
        result: undefined,
        write: (tx) => {
          for (const rate of changed) {
            const before = existing.get(`${rate.currency}@${rate.effectiveFrom}`);
            const item: ExchangeRateItem = { tenantId, ...rate, updatedAt: now, updatedBy: actor.userId };
            // As read: another writer's rate of the same day makes this one be read and judged again.
            tx.record(
              'exchangeRate',
              tx.entities.exchangeRate
                .put(item)
                .where((attr, op) => (before ? op.eq(attr.rate, before.rate) : op.notExists(attr.rate)))
                .commit(),
            );
          }
          tx.log(log);
        },
      };
    },
  });
  return getExchangeRates(deps, actor, { on: latestDate(input) });
}

/** Per currency, the rate in effect on `on` (default: today in the reporting time zone). */
export async function getExchangeRates(deps: Deps, actor: Actor, input: { on?: string }): Promise<ExchangeRatesView> {
  const [settings, rates] = await Promise.all([getSettings(deps, actor), readRates(deps, actor.tenantId)]);
  const on = input.on ?? todayIn(settings.reportingTimezone, deps.clock.now());
  return { baseCurrency: settings.baseCurrency, on, rates: ratesOn(rates, on) };
}

/**
 * Every rate of the tenant, by currency and date. A tenant keeps a few dated rates per currency (monthly or
 * quarterly fixings: hundreds of items over years, a page or two); reports read them once per request.
 */
export async function readRates(deps: Deps, tenantId: string): Promise<ExchangeRate[]> {
  const { data } = await deps.db.entities.exchangeRate.query.byTenant({ tenantId }).go({ pages: 'all' });
  return data.map(({ currency, rate, effectiveFrom, updatedAt, updatedBy }) => ({ currency, rate, effectiveFrom, updatedAt, updatedBy }));
}

/** Pure: per currency, the latest rate whose date is on or before `on`; currencies without one yet are left out. */
export function ratesOn(rates: readonly ExchangeRate[], on: string): ExchangeRate[] {
  const latest = new Map<string, ExchangeRate>();
  for (const rate of rates) {
    if (rate.effectiveFrom > on) continue;
    const kept = latest.get(rate.currency);
    if (!kept || kept.effectiveFrom < rate.effectiveFrom) latest.set(rate.currency, rate);
  }
  return [...latest.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

function assertRatesInput(input: PutExchangeRatesInput, baseCurrency: string): void {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  input.rates.forEach((rate, index) => {
    if (rate.currency === baseCurrency) {
      issues.push({ path: `body.rates.${index}.currency`, message: `The base currency ${baseCurrency} needs no rate (it is 1)` });
    }
    const key = `${rate.currency}@${rate.effectiveFrom}`;
    if (seen.has(key)) issues.push({ path: `body.rates.${index}.effectiveFrom`, message: `${rate.currency} has a rate for ${rate.effectiveFrom} already in this request` });
    seen.add(key);
  });
  if (issues.length > 0) throw new ValidationError('Some exchange rates cannot be kept', issues);
}

const latestDate = (input: PutExchangeRatesInput) => input.rates.map((rate) => rate.effectiveFrom).reduce((a, b) => (a > b ? a : b));

/** The local date in a time zone (en-CA formats as YYYY-MM-DD). */
function todayIn(timezone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
