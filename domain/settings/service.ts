/** Tenant settings: what every tenant starts with, and what its admins change. */
import type { EntityItem } from 'electrodb';
import { auditItem } from '../audit/service';
import type { SalesDb } from '../db';
import { PreconditionFailedError } from '../errors';
import { eventItem } from '../events/service';
import { assertVersion } from '../shared/writes';
import { diffFields } from '../shared/records';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { DEFAULT_REMINDER_POLICY } from '../tasks/rules';
import type { SettingsInput, SettingsView } from './schemas';

export const DEFAULT_SETTINGS: Omit<SettingsView, 'version'> = {
  baseCurrency: 'EUR',
  lostReasons: ['price', 'competitor', 'no_budget', 'no_decision', 'timing', 'other'],
  // No tax until an admin says which rates apply: a silent guess would put wrong totals on quotes.
  taxRates: { standard: '0' },
  maxDiscountPercent: '20',
  taskReminders: DEFAULT_REMINDER_POLICY,
};

type SettingsItem = EntityItem<SalesDb['entities']['tenantSettings']>;

export async function getSettings(deps: Deps, actor: Actor, options: { consistent?: boolean } = {}): Promise<SettingsView> {
  const { data } = await deps.db.entities.tenantSettings.get({ tenantId: actor.tenantId }).go(options);
  return toSettingsView(data);
}

function toSettingsView(data: SettingsItem | null): SettingsView {
  if (!data) return { ...DEFAULT_SETTINGS, version: 0 };
  return {
    ...(data.companyName !== undefined && { companyName: data.companyName }),
    baseCurrency: data.baseCurrency,
    lostReasons: data.lostReasons,
    taxRates: (data.taxRates as Record<string, string> | undefined) ?? DEFAULT_SETTINGS.taxRates,
    maxDiscountPercent: data.maxDiscountPercent ?? DEFAULT_SETTINGS.maxDiscountPercent,
    taskReminders: (data.taskReminders as SettingsView['taskReminders'] | undefined) ?? DEFAULT_SETTINGS.taskReminders,
    version: data.version,
    updatedAt: data.updatedAt,
    updatedBy: data.updatedBy,
  };
}

/** Replaces the settings (admins). `If-Match` protects against two admins overwriting each other. */
export async function putSettings(deps: Deps, actor: Actor, input: SettingsInput, options: { ifMatch?: number }): Promise<SettingsView> {
  const current = await deps.db.entities.tenantSettings.get({ tenantId: actor.tenantId }).go({ consistent: true });
  const currentView = toSettingsView(current.data);
  assertVersion(currentView.version, options.ifMatch);
  const now = deps.clock.now().toISOString();
  const settings = {
    ...(input.companyName !== undefined && { companyName: input.companyName }),
    baseCurrency: input.baseCurrency,
    lostReasons: input.lostReasons,
    taxRates: input.taxRates ?? DEFAULT_SETTINGS.taxRates,
    maxDiscountPercent: input.maxDiscountPercent ?? DEFAULT_SETTINGS.maxDiscountPercent,
    taskReminders: input.taskReminders ?? DEFAULT_SETTINGS.taskReminders,
  };
  const next = { tenantId: actor.tenantId, ...settings, updatedAt: now, updatedBy: actor.userId, version: currentView.version + 1 };
  const { version: _version, updatedAt: _at, updatedBy: _by, ...before } = currentView;
  const changes = diffFields(before, settings);
  const outcome = await deps.db.transaction
    .write(({ tenantSettings, auditEntry, domainEvent }) => [
      current.data
        ? tenantSettings
            .put(next)
            .where((attr, op) => op.eq(attr.version, currentView.version))
            .commit()
        : tenantSettings.create(next).commit(),
      auditEntry.create(auditItem(deps, actor, now, { entityType: 'settings', entityId: actor.tenantId, action: 'update', changes })).commit(),
      domainEvent.create(eventItem(deps, actor, now, { type: 'settings.updated', entityType: 'settings', entityId: actor.tenantId, data: { changes } })).commit(),
    ])
    .go();
  if (outcome.canceled) throw new PreconditionFailedError('The settings were changed by someone else; read them again');
  return { ...settings, version: next.version, updatedAt: now, updatedBy: actor.userId };
}
