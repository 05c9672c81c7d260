import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROLES, type Actor, type Role } from '../../domain/shared/actor';

type JwtClaims = Record<string, string | number | boolean | string[]>;

/**
 * The caller, read only from what API Gateway's JWT authorizer put on the request (never from headers the
 * client controls). `undefined` when there are no usable claims.
 */
export function actorFromEvent(event: APIGatewayProxyEventV2): Actor | undefined {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: JwtClaims } } }).authorizer?.jwt?.claims;
  if (!claims) return undefined;
  const userId = claims.sub;
  const tenantId = claims['custom:tenantId'];
  if (typeof userId !== 'string' || userId === '' || typeof tenantId !== 'string' || tenantId === '') return undefined;
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
