/**
 * The settings function's route table. The tenant's settings.
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import { RATE_KEEPERS } from '../../../domain/shared/actor';
import { ExchangeRates, ExchangeRatesQuery, PutExchangeRatesBody, Settings, SettingsBody } from '../../../domain/settings/schemas';
import { ALL, ADMINS, defineRoutes } from '../../shared/route';

export const settingsRoutes = defineRoutes('settings', [
  {
    id: 'getSettings',
    method: 'GET',
    path: '/settings',
    access: ALL,
    tag: 'Settings',
    summary: "The tenant's settings: base currency, lost reasons",
    response: { status: 200, schema: Settings, description: 'The settings (defaults until an admin saves them)' },
  },
  {
    id: 'putSettings',
    method: 'PUT',
    path: '/settings',
    access: ADMINS,
    tag: 'Settings',
    summary: "Replace the tenant's settings",
    request: { body: SettingsBody },
    ifMatch: true,
    response: { status: 200, schema: Settings, description: 'The saved settings' },
    errors: [412, 413],
  },
  {
    id: 'getExchangeRates',
    method: 'GET',
    path: '/exchange-rates',
    access: ALL,
    tag: 'Settings',
    summary: 'The exchange rates in effect on a date (base-currency units per unit), per currency',
    request: { query: ExchangeRatesQuery },
    response: { status: 200, schema: ExchangeRates, description: 'The rates in effect on `on`' },
  },
  {
    id: 'putExchangeRates',
    method: 'PUT',
    path: '/exchange-rates',
    access: RATE_KEEPERS,
    tag: 'Settings',
    summary: 'Set dated exchange rates (admins, finance): each holds from its date until the currency\'s next; a rate of the same currency and date is replaced',
    request: { body: PutExchangeRatesBody },
    response: { status: 200, schema: ExchangeRates, description: 'The rates in effect on the latest date given' },
    errors: [413],
  },
]);
