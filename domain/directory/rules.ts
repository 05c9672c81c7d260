/**
 * Pure rules of teams: their ids, their size, who may write one, and what a new member list changes.
 */
import { ForbiddenError, ValidationError, type FieldIssue } from '../errors';
import { hasAnyRole, type Actor } from '../shared/actor';

/**
 * A team id: a lowercase slug, 1 to 40 letters, digits and dashes, starting and ending with a letter or digit
 * (`east`, `emea-enterprise`). It names the team in URLs, targets (`"scope": "team", "id": "east"`) and report
 * filters, so it is chosen by people and never changes; and, lower-case only, it is the same in every key
 * (ElectroDB lower-cases keys: `East` would be `east`'s items).
 */
export const TEAM_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const TEAM_ID_RULE = '1 to 40 lowercase letters, digits and dashes, starting and ending with a letter or digit';

/**
 * The most members a team has. A write of a team is one DynamoDB transaction (at most 100 items): the team,
 * its audit entry and its event (3), a guard claimed per member added and released per member removed. Replacing
 * every member of a full team with others is 40 + 40 + 3 = 83 items, within the limit with room to spare; a
 * sales team larger than 40 is better split (a manager's span of control is rarely above 10–15).
 */
export const MAX_TEAM_MEMBERS = 40;

/** Who joins and who leaves when a team's member list becomes `after` (each in the order given). */
export function memberChanges(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const was = new Set(before);
  const will = new Set(after);
  return { added: after.filter((member) => !was.has(member)), removed: before.filter((member) => !will.has(member)) };
}

/** A member listed twice is a 400 naming the second mention. */
export function assertDistinctMembers(members: readonly string[]): void {
  const seen = new Map<string, number>();
  const issues: FieldIssue[] = [];
  members.forEach((member, index) => {
    const first = seen.get(member);
    if (first !== undefined) issues.push({ path: `body.members.${index}`, message: `${member} is listed already (members.${first})` });
    else seen.set(member, index);
  });
  if (issues.length > 0) throw new ValidationError('A member is listed twice', issues);
}

/**
 * Who may write a team. Admins: any team, with any manager. Managers: a team they manage, or a new one, and only
 * with themselves as its manager — a team is the unit a manager's figures, reviews and forecast adjustments are
 * about, so one manager never restructures another's team or hands a team to someone else; moving a rep between
 * two managers' teams takes both (one removes, the other adds) or an admin.
 */
export function teamWriteRefusal(actor: Actor, current: { manager: string } | null, input: { manager: string }): ForbiddenError | undefined {
  if (hasAnyRole(actor, ['admin'])) return undefined;
  if (!hasAnyRole(actor, ['manager'])) return new ForbiddenError('Only admins and managers keep teams');
  if (current && current.manager !== actor.userId) {
    return new ForbiddenError(`Team is managed by ${current.manager}: only they or an admin may change it`);
  }
  if (input.manager !== actor.userId) {
    return new ForbiddenError('A manager keeps teams they manage themselves: only an admin names another manager', [
      { path: 'body.manager', message: `Must be you (${actor.userId}), or ask an admin` },
    ]);
  }
  return undefined;
}
