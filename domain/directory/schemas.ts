import * as z from 'zod';
import { USER_ID_PATTERN, USER_ID_RULE } from '../shared/actor';
import { PageQuery, ShortText, pageOf } from '../shared/schemas';
import { MAX_TEAM_MEMBERS, TEAM_ID_PATTERN, TEAM_ID_RULE } from './rules';

/** A user id as the token's `sub` carries it (domain/shared/actor.ts): the form a member's guard key can hold. */
export const MemberId = z.string().regex(USER_ID_PATTERN, `Must be a user id: ${USER_ID_RULE}`);

export const TeamId = z.string().regex(TEAM_ID_PATTERN, `Must be a team id: ${TEAM_ID_RULE}`).meta({ example: 'east' });

export const TeamParams = z.strictObject({ teamId: TeamId });

export const PutTeamBody = z
  .strictObject({
    name: ShortText(120),
    manager: MemberId.meta({ description: "The team's manager (a user id): the team's figures, reviews and forecasts go to them" }),
    members: z
      .array(MemberId)
      .max(MAX_TEAM_MEMBERS)
      .meta({
        description: `The members, at most ${MAX_TEAM_MEMBERS}, each in no other team (a user belongs to at most one team: a member of another team is a 409 — remove them there first). The list replaces the one before`,
      }),
  })
  .meta({ id: 'PutTeam' });

export const Team = z
  .object({
    id: z.string(),
    name: z.string(),
    manager: z.string(),
    members: z.array(z.string()),
    version: z.number().int(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'Team' });

export const TeamPage = pageOf(Team, 'TeamPage');
export const ListTeamsQuery = z.strictObject({ ...PageQuery });

export type PutTeamInput = z.infer<typeof PutTeamBody>;
export type TeamView = z.infer<typeof Team>;
