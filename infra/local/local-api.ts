/**
 * The local API Gateway: an HTTP server that matches requests against the route table, plays the JWT
 * authorizer (dev keys), builds HTTP API v2 events, and invokes the same Lambda handlers that run on AWS.
 * Besides the API it serves `/docs`, an HTML reference of the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpHandler, HttpResponse } from '../../functions/shared/http';
import { FUNCTIONS, routes, type FunctionName, type RouteDefinition } from '../../functions/http/routes';
import { verifyDevToken, type DevKeys } from './dev-auth';
import { isJobSecret } from './job-secret';

/**
 * Where the local API listens unless told (`HOST`): the loopback interface, so nothing on the network reaches
 * it. Not `localhost`, which may resolve to ::1 alone.
 */
export const LOCAL_API_DEFAULT_HOST = '127.0.0.1';

/** A job called with options it does not take: a 400 with this message, not a failure. */
export class JobUsageError extends Error {}

/** API Gateway's own payload limit; our handlers enforce their smaller one with a problem+json 413. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type FunctionHandlers = Record<FunctionName, HttpHandler>;

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  paramNames: string[];
}

/** Each function's handler, from the module CDK bundles for it: `functions/http/<fn>/handler.ts`. */
export async function loadHandlers(): Promise<FunctionHandlers> {
  const loaded = await Promise.all(
    FUNCTIONS.map(async (fn) => [fn, ((await import(`../../functions/http/${fn}/handler.ts`)) as { handler: HttpHandler }).handler] as const),
  );
  return Object.fromEntries(loaded) as FunctionHandlers;
}

export function createLocalApi(options: {
  handlers: FunctionHandlers;
  keys: DevKeys;
  log?: (line: string) => void;
  /**
   * Scheduled jobs `npm run job -- <name>` may run now: POST /_local/jobs/<name>, from this machine, not from a
   * browser, with `Authorization: Bearer <jobSecret>` (infra/local/job-secret.ts). Without a secret none runs.
   */
  jobs?: Record<string, (args: readonly string[]) => Promise<unknown>>;
  jobSecret?: string;
}): Server {
  const compiled = (routes as readonly RouteDefinition[]).map(compile);
  const docs = docsAssets();

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`local api fault: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.end();
    });
  });

  /**
   * Not an API Gateway route: a local convenience for `npm run job`. Refused (403) to another machine, to a
   * browser (any page can make it POST here; it sends `Origin` and fetch metadata, which curl and `npm run job`
   * do not), and without this start's secret; only then is the job looked up.
   */
  async function runJob(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    // From this machine: over loopback, or to one of its own addresses (HOST=<address>) from that address.
    const address = req.socket.remoteAddress ?? '';
    const fromThisMachine = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address) || address === req.socket.localAddress;
    if (!fromThisMachine) return sendJson(res, 403, { message: 'Local jobs run from this machine only' });
    if (req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined) {
      return sendJson(res, 403, { message: 'Local jobs are not run for a request a browser sent; run them with npm run job -- <name>' });
    }
    const presented = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!isJobSecret(presented, options.jobSecret)) {
      return sendJson(res, 403, { message: 'Local jobs run for npm run job only: it sends the secret npm start wrote to .local/job-secret-<port>' });
    }
    const job = options.jobs?.[name];
    if (!job) return sendJson(res, 404, { message: `No job "${name}"; jobs: ${Object.keys(options.jobs ?? {}).join(', ')}` });
    const body = await readBody(req);
    if (body === 'too-large') return sendJson(res, 413, { message: 'A job request body is {"args": [string]}' });
    let args: string[] = [];
    try {
      const parsed = body.length === 0 ? {} : (JSON.parse(body) as { args?: unknown });
      if (Array.isArray(parsed.args) && parsed.args.every((arg) => typeof arg === 'string')) args = parsed.args;
    } catch {
      return sendJson(res, 400, { message: 'A job request body is {"args": [string]}' });
    }
    try {
      sendJson(res, 200, { job: name, result: await job(args) });
    } catch (error) {
      if (error instanceof JobUsageError) return sendJson(res, 400, { message: error.message });
      throw error;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();

    if (method === 'GET' && docs.serve(url.pathname, res)) return;
    if (method === 'POST' && url.pathname.startsWith('/_local/jobs/')) {
      await runJob(decodeURIComponent(url.pathname.slice('/_local/jobs/'.length)), req, res);
      return;
    }

    const match = matchRoute(compiled, method, url.pathname);
    if (!match) {
      sendJson(res, 404, { message: 'Not Found' });
      return;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      sendJson(res, 413, { message: 'Request Entity Too Large' });
      return;
    }

    let claims: Record<string, string> | undefined;
    if (match.route.access !== 'public') {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      claims = token ? await verifyDevToken(options.keys, token) : undefined;
      if (!claims) {
        // What API Gateway's JWT authorizer answers: the request never reaches the function.
        sendJson(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
        return;
      }
    }

    const event = toEvent(req, url, match, body, claims);
    const response = (await options.handlers[match.route.fn](event, lambdaContext(match.route.fn))) as HttpResponse;
    send(res, response);
    options.log?.(`${method} ${url.pathname} → ${response.statusCode ?? 200} (${Date.now() - started} ms)`);
  }
}

/** Listens on `host` (the loopback interface unless told) and answers where it listens. */
export function listenLocalApi(server: Server, port: number, host = LOCAL_API_DEFAULT_HOST): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function compile(route: RouteDefinition): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    paramNames.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), paramNames };
}

function matchRoute(compiled: CompiledRoute[], method: string, path: string) {
  for (const candidate of compiled) {
    if (candidate.route.method !== method) continue;
    const found = candidate.pattern.exec(path);
    if (!found) continue;
    const pathParameters = Object.fromEntries(
      candidate.paramNames.map((name, index) => [name, decodeURIComponent(found[index + 1] ?? '')]),
    );
    return { route: candidate.route, pathParameters };
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The HTTP API payload format 2.0, as API Gateway builds it. */
function toEvent(
  req: IncomingMessage,
  url: URL,
  match: { route: RouteDefinition; pathParameters: Record<string, string> },
  body: string,
  claims: Record<string, string> | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  headers['x-forwarded-proto'] ??= 'http';
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const routeKey = `${match.route.method} ${match.route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(url.searchParams.size > 0 && { queryStringParameters: query }),
    ...(match.route.path.includes('{') && { pathParameters: match.pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: match.route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims && { authorizer: { jwt: { claims, scopes: [] } } }),
    },
    ...(body !== '' && { body }),
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}

function lambdaContext(fn: FunctionName): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `salesflow-local-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:salesflow-local-${fn}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/salesflow-local-${fn}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name] = String(value);
  const body =
    response.body === undefined ? undefined : response.isBase64Encoded ? Buffer.from(response.body, 'base64') : response.body;
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  res.writeHead(response.statusCode ?? 200, headers);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** `/docs`: Swagger UI (from the swagger-ui-dist package, served from disk, no CDN) on /openapi.json. */
function docsAssets() {
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets: Record<string, { file: string; type: string }> = {
    '/docs/swagger-ui.css': { file: join(dist, 'swagger-ui.css'), type: 'text/css' },
    '/docs/swagger-ui-bundle.js': { file: join(dist, 'swagger-ui-bundle.js'), type: 'text/javascript' },
  };
  const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Salesflow API reference</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="api"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#api', deepLinking: true, persistAuthorization: true });
  </script>
</body>
</html>`;
  return {
    serve(path: string, res: ServerResponse): boolean {
      if (path === '/docs' || path === '/docs/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page);
        return true;
      }
      const asset = assets[path];
      if (!asset) return false;
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'max-age=3600' });
      res.end(readFileSync(asset.file));
      return true;
    },
  };
}
