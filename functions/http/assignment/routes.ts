/**
 * The assignment function's route table. Who gets which record: rep profiles, teams, assignment rules, reassignments by
 * managers. Teams (the directory context) are served here, beside the rep profiles they group, rather than by a
 * function of their own: a function per context costs reserved concurrency in every stage.
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import { AssignBody, AssignmentRules, PutAssignmentRulesBody } from '../../../domain/assignment/schemas';
import { Customer, CustomerIdParams } from '../../../domain/customers/schemas';
import { Opportunity, OpportunityIdParams } from '../../../domain/pipeline/schemas';
import { ListTeamsQuery, PutTeamBody, Team, TeamPage, TeamParams } from '../../../domain/directory/schemas';
import { SALES_PLAN_READERS, SALES_PLANNERS } from '../../../domain/shared/actor';
import { ListRepsQuery, PutRepBody, Rep, RepPage, RepParams } from '../../../domain/reps/schemas';
import { ALL, AUDITORS, ADMINS, CATALOG_EDITORS, defineRoutes } from '../../shared/route';

export const assignmentRoutes = defineRoutes('assignment', [
  {
    id: 'listReps',
    method: 'GET',
    path: '/reps',
    access: ALL,
    tag: 'Assignment',
    summary: 'Rep profiles: skills, territory, experience, capacity, availability',
    request: { query: ListRepsQuery },
    response: { status: 200, schema: RepPage, description: 'One page of rep profiles' },
  },
  {
    id: 'getRep',
    method: 'GET',
    path: '/reps/{userId}',
    access: ALL,
    tag: 'Assignment',
    summary: "One rep's profile with their open work now",
    request: { params: RepParams },
    response: { status: 200, schema: Rep, description: 'The rep profile' },
    errors: [404],
  },
  {
    id: 'putRep',
    method: 'PUT',
    path: '/reps/{userId}',
    access: CATALOG_EDITORS,
    tag: 'Assignment',
    summary: "Create or replace a rep's profile (admins, managers)",
    request: { params: RepParams, body: PutRepBody },
    ifMatch: true,
    response: { status: 200, schema: Rep, description: 'The rep profile' },
    errors: [412, 413],
  },
  {
    id: 'listTeams',
    method: 'GET',
    path: '/teams',
    access: SALES_PLAN_READERS,
    tag: 'Teams',
    summary: 'Teams: name, manager, members (sales roles and finance; not service, which sees no sales figures)',
    request: { query: ListTeamsQuery },
    response: { status: 200, schema: TeamPage, description: 'One page of teams, by id' },
  },
  {
    id: 'getTeam',
    method: 'GET',
    path: '/teams/{teamId}',
    access: SALES_PLAN_READERS,
    tag: 'Teams',
    summary: 'One team',
    request: { params: TeamParams },
    response: { status: 200, schema: Team, description: 'The team' },
    errors: [404],
  },
  {
    id: 'putTeam',
    method: 'PUT',
    path: '/teams/{teamId}',
    access: SALES_PLANNERS,
    tag: 'Teams',
    summary:
      'Create or replace a team (admins; a manager only a team they manage, with themselves as manager). A user belongs to at most one team: a member of another team is a 409 naming them and that team',
    request: { params: TeamParams, body: PutTeamBody },
    ifMatch: true,
    response: { status: 200, schema: Team, description: 'The team' },
    errors: [412, 413],
  },
  {
    id: 'getAssignmentRules',
    method: 'GET',
    path: '/assignment-rules',
    access: ALL,
    tag: 'Assignment',
    summary: "The tenant's assignment rules (in order) and fallback owner",
    response: { status: 200, schema: AssignmentRules, description: 'The assignment rules' },
  },
  {
    id: 'putAssignmentRules',
    method: 'PUT',
    path: '/assignment-rules',
    access: ADMINS,
    tag: 'Assignment',
    summary: 'Replace the assignment rules: conditions on the record → round_robin | least_loaded | best_match among the matching reps',
    request: { body: PutAssignmentRulesBody },
    ifMatch: true,
    response: { status: 200, schema: AssignmentRules, description: 'The saved rules' },
    errors: [412, 413],
  },
  {
    id: 'assignCustomer',
    method: 'POST',
    path: '/customers/{id}/assign',
    access: AUDITORS,
    tag: 'Assignment',
    summary: 'Reassign a customer to an owner, or re-run the assignment rules; the reason is kept in the audit trail',
    request: { params: CustomerIdParams, body: AssignBody },
    idempotent: true,
    response: { status: 200, schema: Customer, description: 'The customer with its new owner' },
    errors: [404, 409, 413],
  },
  {
    id: 'assignOpportunity',
    method: 'POST',
    path: '/opportunities/{id}/assign',
    access: AUDITORS,
    tag: 'Assignment',
    summary: 'Reassign an open opportunity to an owner, or re-run the assignment rules; the reason is kept in the audit trail',
    request: { params: OpportunityIdParams, body: AssignBody },
    idempotent: true,
    response: { status: 200, schema: Opportunity, description: 'The opportunity with its new owner' },
    errors: [404, 409, 413],
  },
]);
