/** Tenant settings. */
import { getExchangeRates, getSettings, putExchangeRates, putSettings } from '../../../domain/settings';
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
  getExchangeRates: async ({ deps, actor, query }) => ok(await getExchangeRates(deps, actor, query)),
  putExchangeRates: async ({ deps, actor, body }) => ok(await putExchangeRates(deps, actor, body)),
});
