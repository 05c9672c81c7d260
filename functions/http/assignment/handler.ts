/** Who gets which record: rep profiles, teams, assignment rules, and reassignments by managers. */
import { getAssignmentRules, putAssignmentRules } from '../../../domain/assignment';
import { assignCustomer } from '../../../domain/customers';
import { getTeam, listTeams, putTeam } from '../../../domain/directory';
import { assignOpportunity } from '../../../domain/pipeline';
import { getRep, listReps, putRep } from '../../../domain/reps';
import { ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { assignmentRoutes } from './routes';

export const handler = createHttpHandler(assignmentRoutes, {
  listReps: async ({ deps, actor, query }) => ok(await listReps(deps, actor, query)),
  getRep: async ({ deps, actor, params }) => {
    const rep = await getRep(deps, actor, params.userId);
    return ok(rep, rep.version);
  },
  putRep: async ({ deps, actor, params, body, ifMatch }) => {
    const rep = await putRep(deps, actor, params.userId, body, { ifMatch });
    return ok(rep, rep.version);
  },
  listTeams: async ({ deps, actor, query }) => ok(await listTeams(deps, actor, query)),
  getTeam: async ({ deps, actor, params }) => {
    const team = await getTeam(deps, actor, params.teamId);
    return ok(team, team.version);
  },
  putTeam: async ({ deps, actor, params, body, ifMatch }) => {
    const team = await putTeam(deps, actor, params.teamId, body, { ifMatch });
    return ok(team, team.version);
  },
  getAssignmentRules: async ({ deps, actor }) => {
    const rules = await getAssignmentRules(deps, actor);
    return ok(rules, rules.version);
  },
  putAssignmentRules: async ({ deps, actor, body, ifMatch }) => {
    const rules = await putAssignmentRules(deps, actor, body, { ifMatch });
    return ok(rules, rules.version);
  },
  assignCustomer: async ({ deps, actor, params, body }) => {
    const customer = await assignCustomer(deps, actor, params.id, body);
    return ok(customer, customer.version);
  },
  assignOpportunity: async ({ deps, actor, params, body }) => {
    const opportunity = await assignOpportunity(deps, actor, params.id, body);
    return ok(opportunity, opportunity.version);
  },
});
