import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROLES, TENANT_ID_RULE, USER_ID_RULE, isTenantId, isUserId, type Actor, type Role } from '../../domain/shared/actor';
import { ForbiddenError } from '../../domain/errors';

type JwtClaims = Record<string, string | number | boolean | string[]>;

/**
 * The caller, read only from what API Gateway's JWT authorizer put on the request (never from headers the
 * client controls). `undefined` when there are no claims (no verified token: a 401).
 *
 * A verified token whose tenant id (`custom:tenantId`) or user id (`sub`) is missing or not of its pattern
 * (domain/shared/actor.ts) is a ForbiddenError (403): the token is genuine, but it names no tenant or user this
 * service can have — keys are lower-cased and joined by `#`, so `Acme` would be `acme`'s. A 401 would tell the
 * client to authenticate again, and a fresh token carries the same claims.
 */
export function actorFromEvent(event: APIGatewayProxyEventV2): Actor | undefined {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: JwtClaims } } }).authorizer?.jwt?.claims;
  if (!claims) return undefined;
  const tenantId = claims['custom:tenantId'];
  const userId = claims.sub;
  if (!isTenantId(tenantId)) {
    throw new ForbiddenError(`The token names no tenant this service can have: a tenant id (custom:tenantId) is ${TENANT_ID_RULE}`);
  }
  if (!isUserId(userId)) {
    throw new ForbiddenError(`The token names no user this service can have: a user id (sub) is ${USER_ID_RULE}`);
  }
  return { tenantId, userId, roles: parseGroups(claims['cognito:groups']) };
}

/**
 * HTTP APIs hand array claims to Lambda flattened to a string, `[admin manager]`; a raw JWT has a JSON array.
 * Both are accepted; unknown groups are ignored.
 */
export function parseGroups(value: JwtClaims[string] | undefined): Role[] {
  const names = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  return names.filter((name): name is Role => (ROLES as readonly string[]).includes(name));
}
