import { hasAnyRole } from '../../../domain/shared/actor';
import { actorFromEvent } from '../auth';
import { stateOf, type HttpMiddleware } from '../http';
import { HttpProblemError } from '../problem';

/** Route-level authorization: an authenticated caller whose role the route table allows. */
export function authorize(): HttpMiddleware {
  return {
    name: 'authorize',
    before: (request) => {
      const state = stateOf(request);
      if (state.route.access === 'public') return;
      const actor = actorFromEvent(request.event);
      if (!actor) {
        throw new HttpProblemError(401, 'Unauthorized', 'A valid bearer token is required', undefined, {
          'www-authenticate': 'Bearer',
        });
      }
      if (!hasAnyRole(actor, state.route.access)) {
        const roles = state.route.access;
        const needs = roles.length === 1 ? `the ${roles[0]} role` : `one of these roles: ${roles.join(', ')}`;
        throw new HttpProblemError(403, 'Forbidden', `This operation needs ${needs}`);
      }
      state.actor = actor;
    },
  };
}
