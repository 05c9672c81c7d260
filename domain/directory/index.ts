/** The directory context's public module: teams (and, with a later issue, the user directory). */
export { getTeam, listAllTeams, listTeams, putTeam, readTeam, teamOfUser } from './teams';
export { MAX_TEAM_MEMBERS, TEAM_ID_PATTERN } from './rules';
