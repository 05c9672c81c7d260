import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError } from '../../domain/errors';
import { actorFromEvent, parseGroups } from '../../functions/shared/auth';
import { problemFromError } from '../../functions/shared/problem';

const eventWithClaims = (claims?: Record<string, unknown>) =>
  ({ requestContext: claims ? { authorizer: { jwt: { claims } } } : {} }) as unknown as APIGatewayProxyEventV2;

describe('actor from the authorizer context', () => {
  it('reads sub, tenant and groups as API Gateway flattens them', () => {
    expect(actorFromEvent(eventWithClaims({ sub: 'bob', 'custom:tenantId': 'acme', 'cognito:groups': '[rep manager]' }))).toEqual({
      tenantId: 'acme',
      userId: 'bob',
      roles: ['rep', 'manager'],
    });
  });

  it('has no actor without claims (no verified token: 401)', () => {
    expect(actorFromEvent(eventWithClaims())).toBeUndefined();
  });

  it('refuses a verified token without a tenant or a subject (403: it names no one this service can have)', () => {
    expect(() => actorFromEvent(eventWithClaims({ sub: 'bob', 'cognito:groups': '[rep]' }))).toThrow(ForbiddenError);
    expect(() => actorFromEvent(eventWithClaims({ 'custom:tenantId': 'acme' }))).toThrow(ForbiddenError);
  });

  it('accepts JSON arrays and ignores unknown groups', () => {
    expect(parseGroups(['admin', 'root'])).toEqual(['admin']);
    expect(parseGroups('[finance,service]')).toEqual(['finance', 'service']);
    expect(parseGroups(undefined)).toEqual([]);
  });
});

describe('problem+json mapping', () => {
  it.each([
    [new ValidationError('bad', [{ path: 'body.name', message: 'Required' }]), 400],
    [new NotFoundError('gone'), 404],
    [new ConflictError('dup', { existing: { id: 'c1' } }), 409],
    [new PreconditionFailedError('stale', 4), 412],
  ])('maps %s to %i', (error, status) => {
    expect(problemFromError(error, '/x').problem.status).toBe(status);
  });

  it('carries field errors and conflict details', () => {
    expect(problemFromError(new ValidationError('bad', [{ path: 'body.name', message: 'Required' }])).problem.errors).toEqual([
      { path: 'body.name', message: 'Required' },
    ]);
    expect(problemFromError(new ConflictError('dup', { existing: { id: 'c1' } })).problem.existing).toEqual({ id: 'c1' });
    expect(problemFromError(new PreconditionFailedError('stale', 4)).problem.currentVersion).toBe(4);
  });

  it('never echoes an unexpected error to the client', () => {
    const { problem } = problemFromError(new Error('connect ECONNREFUSED 10.0.0.1 table secret-name'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|secret-name/);
  });
});

describe('problem extensions', () => {
  it('never replace the standard members', () => {
    const { problem } = problemFromError(new ConflictError('locked', { status: 'draft', title: 'x', type: 'y' }));
    expect(problem).toMatchObject({ status: 409, title: 'Conflict', type: '/problems/conflict' });
  });
});
