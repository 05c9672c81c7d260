/** Tenant settings: what every tenant starts with, and what its admins change. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import type { SettingsInput, SettingsView } from './schemas';

export const DEFAULT_SETTINGS: Omit<SettingsView, 'version'> = {
  baseCurrency: 'EUR',
  lostReasons: ['price', 'competitor', 'no_budget', 'no_decision', 'timing', 'other'],
  // No tax until an admin says which rates apply: a silent guess would put wrong totals on quotes.
  taxRates: { standard: '0' },
  maxDiscountPercent: '20',
  taskReminders: { dueSoonHours: 24, escalateAfterHours: 24 },
  reportingTimezone: 'UTC',
  fiscalYearStartMonth: 1,
  customerCare: { reopenWindowDays: 7, renewalWindowDays: 90, checkInAfterDays: 30, npsAfterDays: 14, surveyValidDays: 30 },
};

type SettingsItem = EntityItem<SalesDb['entities']['tenantSettings']>;

export async function getSettings(deps: Deps, actor: Actor, options: { consistent?: boolean } = {}): Promise<SettingsView> {
  const { data } = await deps.db.entities.tenantSettings.get({ tenantId: actor.tenantId }).go(options);
  return toSettingsView(data);
}

/** The settings a stored item (or none: the defaults) holds — for readers that fetched the item themselves. */
export function toSettingsView(data: SettingsItem | null): SettingsView {
  if (!data) return { ...DEFAULT_SETTINGS, version: 0 };
  return {
    ...(data.companyName !== undefined && { companyName: data.companyName }),
    baseCurrency: data.baseCurrency,
    lostReasons: data.lostReasons,
    taxRates: data.taxRates ?? DEFAULT_SETTINGS.taxRates,
    maxDiscountPercent: data.maxDiscountPercent ?? DEFAULT_SETTINGS.maxDiscountPercent,
    taskReminders: data.taskReminders ?? DEFAULT_SETTINGS.taskReminders,
    reportingTimezone: data.reportingTimezone ?? DEFAULT_SETTINGS.reportingTimezone,
    fiscalYearStartMonth: data.fiscalYearStartMonth ?? DEFAULT_SETTINGS.fiscalYearStartMonth,
    customerCare: data.customerCare ?? DEFAULT_SETTINGS.customerCare,
    version: data.version,
    updatedAt: data.updatedAt,
    updatedBy: data.updatedBy,
  };
}

/** Replaces the settings (admins). `If-Match` protects against two admins overwriting each other. */
export async function putSettings(deps: Deps, actor: Actor, input: SettingsInput, options: { ifMatch?: number }): Promise<SettingsView> {
  return versionedWrite(deps, options, {
    read: () => getSettings(deps, actor, { consistent: true }),
    version: (current) => current.version,
    build: (current) => {
      const now = deps.clock.now().toISOString();
      const settings = {
        ...(input.companyName !== undefined && { companyName: input.companyName }),
        baseCurrency: input.baseCurrency,
        lostReasons: input.lostReasons,
        taxRates: input.taxRates ?? DEFAULT_SETTINGS.taxRates,
        maxDiscountPercent: input.maxDiscountPercent ?? DEFAULT_SETTINGS.maxDiscountPercent,
        taskReminders: input.taskReminders ?? DEFAULT_SETTINGS.taskReminders,
        reportingTimezone: input.reportingTimezone ?? DEFAULT_SETTINGS.reportingTimezone,
        fiscalYearStartMonth: input.fiscalYearStartMonth ?? DEFAULT_SETTINGS.fiscalYearStartMonth,
        customerCare: input.customerCare ?? DEFAULT_SETTINGS.customerCare,
      };
      const next: SettingsItem = { tenantId: actor.tenantId, ...settings, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
      const { version: _version, updatedAt: _at, updatedBy: _by, ...before } = current;
      const changes = diffFields(before, settings);
      const log = logChange(deps, actor, now, {
        entityType: 'settings',
        entityId: actor.tenantId,
        action: 'update',
        changes,
        events: [{ type: 'settings.updated', data: { changes } }],
      });
      return {
        result: { ...settings, version: next.version, updatedAt: now, updatedBy: actor.userId },
        write: (tx) =>
          tx
            .record(
              'tenantSettings',
              current.version === 0
                ? tx.entities.tenantSettings.create(next).commit()
                : tx.entities.tenantSettings
                    .put(next)
                    .where((attr, op) => op.eq(attr.version, current.version))
                    .commit(),
            )
            .log(log),
      };
    },
  });
}
