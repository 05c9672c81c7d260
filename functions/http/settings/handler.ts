/** Tenant settings. */
import { getSettings, putSettings } from '../../../domain/settings';
import { ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { settingsRoutes } from './routes';

export const handler = createHttpHandler(settingsRoutes, {
  getSettings: async ({ deps, actor }) => {
    const settings = await getSettings(deps, actor);
    return ok(settings, settings.version);
  },
  putSettings: async ({ deps, actor, body, ifMatch }) => {
    const settings = await putSettings(deps, actor, body, { ifMatch });
    return ok(settings, settings.version);
  },
});
