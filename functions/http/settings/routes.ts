/**
 * The settings function's route table. The tenant's settings.
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import { Settings, SettingsBody } from '../../../domain/settings/schemas';
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
]);
