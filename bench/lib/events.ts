/** API Gateway HTTP API (v2) events for invoking the real handlers in-process, as API Gateway would. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Role } from '../../domain/shared/actor';
import type { RouteDefinition } from '../../functions/http/routes';

export interface Caller {
  tenant: string;
  sub: string;
  role: Role;
}

let requestCounter = 0;

export function httpEvent(route: RouteDefinition, path: string, options: { query?: string; body?: unknown; caller?: Caller }): APIGatewayProxyEventV2 {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const pattern = new RegExp(`^${route.path.replace(/\{\w+\}/g, '([^/]+)')}$`);
  const values = pattern.exec(path)?.slice(1) ?? [];
  const pathParameters = Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(values[index] ?? '')]));
  const query = new URLSearchParams(options.query ?? '');
  const routeKey = `${route.method} ${route.path}`;
  const claims = options.caller
    ? { sub: options.caller.sub, 'custom:tenantId': options.caller.tenant, 'cognito:groups': `[${options.caller.role}]`, token_use: 'id' }
    : undefined;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: query.toString(),
    headers: { 'content-type': 'application/json', host: 'bench.local', 'x-forwarded-proto': 'https' },
    ...(query.size > 0 && { queryStringParameters: Object.fromEntries(query) }),
    ...(names.length > 0 && { pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: `bench-${++requestCounter}`,
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(claims && { authorizer: { jwt: { claims, scopes: [] } } }),
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}

export function lambdaContext(fn: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `salesflow-bench-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:salesflow-bench-${fn}`,
    memoryLimitInMB: '1024',
    awsRequestId: `bench-${++requestCounter}`,
    logGroupName: 'bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
