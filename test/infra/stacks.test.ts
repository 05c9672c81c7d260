/**
 * The synthesized stacks of every stage: what deploys is what the route table, the table definition and the
 * stage settings say. Assertions on specific resources only, never whole-template snapshots.
 */
import { type CfnResource, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../domain/shared/actor';
import { GLOBAL_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../domain/table';
import { FUNCTIONS, type FunctionName, type RouteDefinition, routes } from '../../functions/http/routes';
import { STAGES, type Stage, stageConfig } from '../../infra/config/stages';
import { REPO_ROOT } from '../../infra/constructs/api-function';
import { LISTING_FUNCTIONS } from '../../infra/stacks/stateless-stack';
import { logicalId, nagFindings, type SynthesizedStage, synthStage } from './synth';

/** Every HTTP function's reserved concurrency: the default, and the ones that differ. */
function reservedHttp(otherwise: number | undefined, differing: Partial<Record<FunctionName, number>>): Record<FunctionName, number | undefined> {
  return Object.fromEntries(FUNCTIONS.map((name) => [name, differing[name] ?? otherwise])) as Record<FunctionName, number | undefined>;
}

/** What each stage must look like, written out here rather than read back from infra/config. */
const EXPECTED: Record<
  Stage,
  {
    retain: boolean;
    pitr: boolean;
    tableDeletionProtection: boolean;
    logRetentionDays: number;
    logLevel: string;
    memoryMb: number;
    throttle: { rate: number; burst: number };
    /** Routes without a token: approval links, health, the API description. */
    publicThrottle: { rate: number; burst: number };
    /** On-demand maximum request units per second, of the table and of each index. */
    tableMax: { read: number; write: number };
    /** Reserved concurrency per function (none reserved: undefined), and their sum. */
    reserved: {
      http: Record<FunctionName, number | undefined>;
      relay?: number;
      reminders?: number;
      kpiRollup?: number;
      approvalTasks?: number;
      total: number;
    };
    /** Memory (MB) and timeout (s) of the functions that are not HTTP functions. */
    relay: { memoryMb: number; timeout: number };
    reminders: { memoryMb: number; timeout: number };
    kpiRollup: { memoryMb: number; timeout: number };
    alarms: boolean;
    userPoolTier: 'ESSENTIALS' | 'PLUS';
  }
> = {
  dev: {
    retain: false,
    pitr: false,
    tableDeletionProtection: false,
    logRetentionDays: 7,
    logLevel: 'DEBUG',
    memoryMb: 512,
    throttle: { rate: 20, burst: 40 },
    publicThrottle: { rate: 5, burst: 10 },
    tableMax: { read: 200, write: 100 },
    reserved: { http: reservedHttp(undefined, {}), total: 0 },
    relay: { memoryMb: 512, timeout: 30 },
    reminders: { memoryMb: 512, timeout: 300 },
    // Lambda's maximum everywhere: a recompute of a quarter of a large tenant reads all of its records.
    kpiRollup: { memoryMb: 512, timeout: 900 },
    alarms: false,
    userPoolTier: 'ESSENTIALS',
  },
  staging: {
    retain: false,
    pitr: true,
    tableDeletionProtection: false,
    logRetentionDays: 30,
    logLevel: 'INFO',
    memoryMb: 1024,
    throttle: { rate: 50, burst: 100 },
    publicThrottle: { rate: 5, burst: 10 },
    tableMax: { read: 1000, write: 500 },
    reserved: {
      http: reservedHttp(5, { customers: 10, pipeline: 10, tasks: 10, notifications: 10, system: 2, analytics: 2 }),
      relay: 4,
      reminders: 2,
      // One run at a time.
      kpiRollup: 1,
      approvalTasks: 5,
      total: 101,
    },
    relay: { memoryMb: 512, timeout: 30 },
    reminders: { memoryMb: 1024, timeout: 300 },
    kpiRollup: { memoryMb: 1024, timeout: 900 },
    alarms: true,
    userPoolTier: 'PLUS',
  },
  prod: {
    retain: true,
    pitr: true,
    tableDeletionProtection: true,
    logRetentionDays: 365,
    logLevel: 'INFO',
    memoryMb: 1024,
    throttle: { rate: 500, burst: 1000 },
    publicThrottle: { rate: 10, burst: 20 },
    tableMax: { read: 4000, write: 2000 },
    reserved: {
      http: reservedHttp(20, { customers: 50, pipeline: 50, tasks: 50, notifications: 50, system: 5, analytics: 10 }),
      relay: 10,
      reminders: 2,
      kpiRollup: 1,
      approvalTasks: 10,
      total: 418,
    },
    relay: { memoryMb: 512, timeout: 30 },
    reminders: { memoryMb: 1024, timeout: 300 },
    kpiRollup: { memoryMb: 1024, timeout: 900 },
    alarms: true,
    userPoolTier: 'PLUS',
  },
};

/** Least privilege, as the functions' code needs it today. */
const EXPECTED_ACCESS: Record<FunctionName, { table: 'none' | 'read' | 'read-write'; putEvents: boolean }> = {
  system: { table: 'none', putEvents: false },
  customers: { table: 'read-write', putEvents: false },
  audit: { table: 'read', putEvents: false },
  settings: { table: 'read-write', putEvents: false },
  pipeline: { table: 'read-write', putEvents: false },
  events: { table: 'read', putEvents: false },
  catalog: { table: 'read-write', putEvents: false },
  quotes: { table: 'read-write', putEvents: false },
  contracts: { table: 'read-write', putEvents: false },
  approvals: { table: 'read-write', putEvents: false },
  notifications: { table: 'read-write', putEvents: false },
  tasks: { table: 'read-write', putEvents: false },
  assignment: { table: 'read-write', putEvents: false },
  analytics: { table: 'read-write', putEvents: false },
  care: { table: 'read-write', putEvents: false },
};

const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const STREAM_READ_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}
type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }>;

const allRoutes: readonly RouteDefinition[] = routes;
const asArray = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** The statements of every policy attached to a role, by the role's logical id. */
function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  }) as Resources;
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

describe.each(STAGES)('stage %s', (stage) => {
  const expected = EXPECTED[stage];
  let built: SynthesizedStage;
  let stateful: Template;
  let stateless: Template;

  beforeAll(() => {
    built = synthStage(stage);
    stateful = built.stateful$;
    stateless = built.stateless$;
  });
  afterAll(() => rmSync(built.app.outdir, { recursive: true, force: true }));

  /** A function's bundle as synthesized: assets are staged in the assembly as asset.<hash>, the S3 key's name. */
  const bundleDir = (name: FunctionName) => {
    const fn = built.stateless.functions[name].fn.node.defaultChild as CfnResource;
    const resource = (stateless.toJSON().Resources as Resources)[logicalId(fn)];
    const s3Key = (resource?.Properties.Code as { S3Key: string }).S3Key;
    return join(built.app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
  };
  /** The modules esbuild put in a function's bundle (from its source map), relative to the repository. */
  const bundledSources = (name: FunctionName) => {
    const map = JSON.parse(readFileSync(join(bundleDir(name), 'index.mjs.map'), 'utf8')) as { sources: string[] };
    return map.sources.map((source) => relative(REPO_ROOT, resolve(bundleDir(name), source)));
  };

  it('names, tags and protects the stacks', () => {
    expect(built.stateful.stackName).toBe(`Salesflow-${stage}-Stateful`);
    expect(built.stateless.stackName).toBe(`Salesflow-${stage}-Stateless`);
    expect(built.stateful.terminationProtection).toBe(stage === 'prod');
    expect(built.stateless.terminationProtection).toBe(stage === 'prod');
    for (const stack of [built.stateful, built.stateless]) {
      expect(stack.tags.tagValues()).toEqual({ app: 'salesflow', stage });
    }
  });

  describe('table', () => {
    it('is the single table of domain/table.ts: on-demand, keys, GSIs with ALL projection, TTL, stream, AWS-managed key', () => {
      stateful.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
      stateful.resourceCountIs('AWS::DynamoDB::Table', 0);
      stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        // Arrays match exactly: no index more, none less.
        GlobalSecondaryIndexes: GLOBAL_INDEXES.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
      expect(GLOBAL_INDEXES.map((index) => index.name)).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4']);
      expect(TTL_ATTRIBUTE).toBe('expiresAt');
    });

    it(`has PITR ${expected.pitr ? 'on' : 'off'}, deletion protection ${expected.tableDeletionProtection ? 'on' : 'off'}, ${expected.retain ? 'Retain' : 'Delete'} policy`, () => {
      stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: expected.pitr },
            DeletionProtectionEnabled: expected.tableDeletionProtection,
          }),
        ],
      });
      const policy = expected.retain ? 'Retain' : 'Delete';
      stateful.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: policy, UpdateReplacePolicy: policy });
    });
  });

  describe('identity', () => {
    it('has a user pool with email sign-in, strong passwords, optional TOTP MFA and an immutable tenantId', () => {
      stateful.resourceCountIs('AWS::Cognito::UserPool', 1);
      stateful.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolName: `salesflow-${stage}`,
        UsernameAttributes: ['email'],
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
        Schema: Match.arrayWith([Match.objectLike({ Name: 'tenantId', AttributeDataType: 'String', Mutable: false })]),
        UserPoolTier: expected.userPoolTier,
        DeletionProtection: expected.retain ? 'ACTIVE' : 'INACTIVE',
      });
      stateful.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: expected.retain ? 'Retain' : 'Delete' });
    });

    it(`has threat protection ${expected.userPoolTier === 'PLUS' ? 'enforced' : 'off'}`, () => {
      stateful.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolAddOns: expected.userPoolTier === 'PLUS' ? { AdvancedSecurityMode: 'ENFORCED' } : Match.absent(),
      });
    });

    it('has one API client without secret, whose ID token carries custom:tenantId, which users cannot write', () => {
      stateful.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
      stateful.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlowsUserPoolClient: false,
        ReadAttributes: Match.arrayWith(['custom:tenantId', 'email']),
        WriteAttributes: ['name'],
      });
    });

    it('has one group per role', () => {
      stateful.resourceCountIs('AWS::Cognito::UserPoolGroup', ROLES.length);
      for (const role of ['admin', 'manager', 'rep', 'finance', 'service']) {
        stateful.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: role });
      }
    });

    it('has the stage event bus', () => {
      stateful.resourceCountIs('AWS::Events::EventBus', 1);
      stateful.hasResourceProperties('AWS::Events::EventBus', { Name: `salesflow-${stage}` });
    });
  });

  describe('functions', () => {
    it('has one function per FUNCTIONS entry (and the outbox relay, the approval tasks, the reminders and KPI rollup jobs): nodejs22.x, arm64, X-Ray, stage memory, timeout and environment', () => {
      expect(FUNCTIONS).toEqual(['system', 'customers', 'audit', 'settings', 'pipeline', 'events', 'catalog', 'quotes', 'contracts', 'approvals', 'notifications', 'tasks', 'assignment', 'analytics', 'care']);
      stateless.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length + 4);
      for (const name of FUNCTIONS) {
        const fn = built.stateless.functions[name].fn.node.defaultChild as CfnResource;
        const resource = stateless.toJSON().Resources[logicalId(fn)] as { Properties: Record<string, unknown> };
        expect(resource.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          MemorySize: expected.memoryMb,
          // The system function answers from memory (health, a static document): nothing takes it 3 s.
          Timeout: name === 'system' ? 3 : 10,
          Environment: {
            Variables: {
              TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/SalesTable/) },
              STAGE: stage,
              POWERTOOLS_SERVICE_NAME: 'salesflow',
              POWERTOOLS_LOG_LEVEL: expected.logLevel,
              POWERTOOLS_METRICS_NAMESPACE: 'Salesflow',
              NODE_OPTIONS: '--enable-source-maps',
            },
          },
        });
      }
    });

    it('bundles each function from its own handler module, with its own route table and schemas only', () => {
      const ownSchemas: Partial<Record<FunctionName, string[]>> = { audit: ['audit'], events: ['events'], settings: ['settings'] };
      for (const name of FUNCTIONS) {
        const sources = bundledSources(name);
        expect(sources, name).toContain(`functions/http/${name}/handler.ts`);
        expect(sources, name).toContain(`functions/http/${name}/routes.ts`);
        // Not the route index (every context's table and schemas), nor another context's handler or table.
        expect(sources.filter((source) => source.startsWith('functions/http/') && !source.startsWith(`functions/http/${name}/`)), name).toEqual([]);
        const schemas = sources.filter((source) => /^domain\/(?!shared\/)[^/]+\/schemas\.ts$/.test(source)).map((source) => source.split('/')[1]);
        if (ownSchemas[name]) expect(schemas, name).toEqual(ownSchemas[name]);
      }
    });

    it('serves the OpenAPI document of this synth from the system function\'s bundle, which has no zod, no schema, no data layer', () => {
      const served = JSON.parse(readFileSync(join(bundleDir('system'), 'openapi.json'), 'utf8')) as { openapi: string; servers: unknown[]; paths: Record<string, unknown> };
      expect(served).toEqual(JSON.parse(readFileSync(join(built.app.outdir, 'openapi.json'), 'utf8')));
      expect(served.openapi).toBe('3.1.0');
      expect(served.servers).toEqual([{ url: '/', description: 'The host this document is served from' }]);
      expect(Object.keys(served.paths).sort()).toEqual([...new Set(allRoutes.map((route) => route.path))].sort());
      const sources = bundledSources('system');
      expect(sources.filter((source) => /node_modules\/(zod|@asteasolutions|electrodb|@aws-sdk)\//.test(source) || source.endsWith('schemas.ts'))).toEqual([]);
    });

    it(`logs every function to its own log group kept ${expected.logRetentionDays} days`, () => {
      const logGroups = stateless.findResources('AWS::Logs::LogGroup') as Resources;
      const functions = stateless.findResources('AWS::Lambda::Function') as Resources;
      const used = new Set<string>();
      for (const fn of Object.values(functions)) {
        const ref = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(logGroups[ref]?.Properties.RetentionInDays).toBe(expected.logRetentionDays);
        used.add(ref);
      }
      expect(used.size).toBe(FUNCTIONS.length + 4);
      const policy = expected.retain ? 'Retain' : 'Delete';
      stateless.allResources('AWS::Logs::LogGroup', { DeletionPolicy: policy });
      // No logRetention custom resource (its singleton function would be a second kind of Lambda).
      stateless.resourceCountIs('Custom::LogRetention', 0);
    });

    it('grants each function only the table and bus access it needs', () => {
      for (const name of FUNCTIONS) {
        const role = built.stateless.functions[name].role.node.defaultChild as CfnResource;
        const statements = statementsOfRole(stateless, logicalId(role));
        const actions = statements.flatMap((statement) => asArray(statement.Action));
        const dynamo = actions.filter((action) => action.startsWith('dynamodb:'));
        const access = EXPECTED_ACCESS[name];

        if (access.table === 'none') expect(dynamo).toEqual([]);
        if (access.table === 'read') {
          expect(dynamo).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
          expect(dynamo.filter((action) => WRITE_ACTIONS.includes(action))).toEqual([]);
        }
        if (access.table === 'read-write') {
          expect(dynamo).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', ...WRITE_ACTIONS]));
        }
        expect(dynamo).not.toContain('dynamodb:Scan');
        expect(actions.some((action) => action.includes('*'))).toBe(false);
        expect(actions.includes('events:PutEvents')).toBe(access.putEvents);
        // Logs only to its own log group: no account-wide managed policy.
        expect(statements.find((statement) => asArray(statement.Action).includes('logs:PutLogEvents'))?.Resource).toEqual({
          'Fn::GetAtt': [logicalId(built.stateless.functions[name].logGroup.node.defaultChild as CfnResource), 'Arn'],
        });
      }
      expect(Object.keys(stateless.findResources('AWS::IAM::Role', { Properties: { ManagedPolicyArns: Match.anyValue() } }))).toEqual([]);
    });

    it('names the table and each index instead of index/*, and uses "*" only for X-Ray (and the state machine\'s log delivery)', () => {
      const policies = stateless.findResources('AWS::IAM::Policy') as Resources;
      const stateMachineRole = logicalId(built.stateless.approvalWorkflow.stateMachine.role.node.defaultChild as CfnResource);
      const relayRole = logicalId(built.stateless.outboxRelay.function.role.node.defaultChild as CfnResource);
      const tableOnly = [{ 'Fn::ImportValue': expect.stringMatching(/SalesTable.*Arn/) }];
      for (const policy of Object.values(policies)) {
        const roles = (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref);
        for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
          if (statement.Resource === '*') {
            const actions = asArray(statement.Action);
            const xray = actions.every((action) => ['xray:PutTelemetryRecords', 'xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'].includes(action));
            const logDelivery = roles.every((role) => role === stateMachineRole) && actions.every((action) => action.startsWith('logs:') && !action.includes('PutLogEvents'));
            expect(xray || logDelivery, actions.join(', ')).toBe(true);
          }
          // Table data access (stream reads name the stream, see 'outbox relay'). The relay's one table action, its
          // UpdateItem of a tenant's feed counter (a table item), names the table alone.
          const relayCounter = roles.every((role) => role === relayRole) && JSON.stringify(asArray(statement.Action)) === '["dynamodb:UpdateItem"]';
          if (relayCounter) expect([statement.Resource].flat()).toEqual(tableOnly);
          if (!relayCounter && asArray(statement.Action).some((action) => action.startsWith('dynamodb:') && !STREAM_READ_ACTIONS.includes(action))) {
            const resources = JSON.stringify(statement.Resource);
            expect(resources).not.toContain('/index/*');
            for (const index of GLOBAL_INDEXES) expect(resources).toContain(`/index/${index.name}"`);
          }
        }
      }
    });
  });

  describe('HTTP API', () => {
    it('has every route of the route table, JWT-protected unless public, wired to its function', () => {
      stateless.resourceCountIs('AWS::ApiGatewayV2::Route', allRoutes.length);
      const resources = stateless.toJSON().Resources as Resources;
      const integrations = stateless.findResources('AWS::ApiGatewayV2::Integration') as Resources;
      const byKey = new Map(
        Object.values(stateless.findResources('AWS::ApiGatewayV2::Route') as Resources).map((route) => [
          route.Properties.RouteKey as string,
          route.Properties,
        ]),
      );
      const authorizerId = Object.keys(stateless.findResources('AWS::ApiGatewayV2::Authorizer'))[0];

      for (const route of allRoutes) {
        const key = `${route.method} ${route.path}`;
        const deployed = byKey.get(key);
        expect(deployed, key).toBeDefined();
        if (route.access === 'public') {
          expect(deployed).toMatchObject({ AuthorizationType: 'NONE' });
          expect(deployed?.AuthorizerId).toBeUndefined();
        } else {
          expect(deployed).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
        }
        // Target: integrations/<integration>, whose URI is the route's function.
        const target = deployed?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
        const integration = integrations[target['Fn::Join'][1][1].Ref];
        const fn = built.stateless.functions[route.fn].fn.node.defaultChild as CfnResource;
        expect(integration?.Properties.IntegrationUri, key).toEqual({ 'Fn::GetAtt': [logicalId(fn), 'Arn'] });
        expect(resources[logicalId(fn)]).toBeDefined();
      }
      expect(allRoutes.filter((route) => route.access === 'public').map((route) => `${route.method} ${route.path}`)).toEqual([
        'GET /health',
        'GET /openapi.json',
        'GET /approval-links/{token}',
        'POST /approval-links/{token}',
      ]);
    });

    it('verifies Cognito ID tokens of the API client', () => {
      stateless.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Issuer: {
            'Fn::Join': [
              '',
              ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { 'Fn::ImportValue': Match.stringLikeRegexp('UserPool') }],
            ],
          },
          Audience: [{ 'Fn::ImportValue': Match.stringLikeRegexp('UserPoolApiClient') }],
        },
      });
    });

    it('throttles the default stage and writes JSON access logs', () => {
      stateless.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: expected.throttle.rate, ThrottlingBurstLimit: expected.throttle.burst },
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiAccessLogs'), 'Arn'] }, Format: Match.anyValue() },
      });
      const apiStage = Object.values(stateless.findResources('AWS::ApiGatewayV2::Stage') as Resources)[0];
      const format = JSON.parse((apiStage?.Properties.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      });
    });

    it('answers CORS preflights for the methods in use', () => {
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'HTTP',
        CorsConfiguration: Match.objectLike({
          AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS'],
          AllowHeaders: Match.arrayWith(['authorization', 'content-type', 'if-match', 'idempotency-key']),
          ExposeHeaders: ['etag', 'location'],
          AllowOrigins: stage === 'dev' ? ['*'] : [Match.stringLikeRegexp('^https://')],
        }),
      });
    });

    it('outputs the API URL, user pool id, client id and table name', () => {
      for (const output of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName']) {
        expect(Object.keys(stateless.findOutputs(output)), output).toHaveLength(1);
      }
    });
  });

  describe('outbox relay', () => {
    const relayIds = () => {
      const relay = built.stateless.outboxRelay;
      return {
        fn: logicalId(relay.function.fn.node.defaultChild as CfnResource),
        role: logicalId(relay.function.role.node.defaultChild as CfnResource),
        logGroup: logicalId(relay.function.logGroup.node.defaultChild as CfnResource),
        queue: logicalId(relay.deadLetterQueue.node.defaultChild as CfnResource),
      };
    };
    // An export of the stateful stack: as a CDK matcher, and as a vitest one.
    const importOf = (pattern: string) => ({ 'Fn::ImportValue': Match.stringLikeRegexp(pattern) });
    const imported = (pattern: string) => ({ 'Fn::ImportValue': expect.stringMatching(pattern) });

    it(`runs functions/streams/publish-events.ts with the function defaults, ${expected.relay.memoryMb} MB and ${expected.relay.timeout} s, knowing the bus and the table (the KPI rollup's feed counter)`, () => {
      const { fn, logGroup } = relayIds();
      const resource = (stateless.toJSON().Resources as Resources)[fn];
      expect(resource?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        // Up to 10 PutEvents calls per batch of 100, each retried by the SDK: more than a request's 10 s.
        MemorySize: expected.relay.memoryMb,
        Timeout: expected.relay.timeout,
        LoggingConfig: { LogGroup: { Ref: logGroup } },
        Environment: {
          Variables: {
            STAGE: stage,
            POWERTOOLS_LOG_LEVEL: expected.logLevel,
            EVENT_BUS_NAME: { 'Fn::ImportValue': expect.stringMatching(/EventBus/) },
            TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/SalesTable/) },
          },
        },
      });
      // The bundle is the relay's code (its own error message), not another function's. Assets are staged in
      // the assembly as asset.<hash>, the hash being the S3 key's name.
      const s3Key = (resource?.Properties.Code as { S3Key: string }).S3Key;
      const bundle = join(built.app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs');
      expect(readFileSync(bundle, 'utf8')).toContain('EVENT_BUS_NAME is not set');
    });

    it('reads the table stream: new domainEvent items only, batches of 100 within 1 s, bisect, partial failures, 5 retries, DLQ', () => {
      const { fn, queue } = relayIds();
      stateless.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fn },
        EventSourceArn: importOf('SalesTable.*StreamArn'),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 5,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
      });
      const mapping = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping') as Resources)[0];
      const filters = (mapping?.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
      expect(filters.map((filter) => JSON.parse(filter.Pattern) as unknown)).toEqual([
        { eventName: ['INSERT'], dynamodb: { NewImage: { __edb_e__: { S: ['domainEvent'] } } } },
      ]);
    });

    it(`has an encrypted, TLS-only dead-letter queue keeping messages 14 days (${expected.retain ? 'retained' : 'deleted'} with the stack)`, () => {
      const { queue } = relayIds();
      // The relay's and the two schedules' dead-letter queues.
      stateless.resourceCountIs('AWS::SQS::Queue', 3);
      const policy = expected.retain ? 'Retain' : 'Delete';
      stateless.hasResource('AWS::SQS::Queue', {
        Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 60 * 60 },
        DeletionPolicy: policy,
        UpdateReplacePolicy: policy,
      });
      stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('may read the stream, put events on the bus, send to its DLQ and update table items (no other table action), and nothing else', () => {
      const { role, logGroup, queue } = relayIds();
      const statements = statementsOfRole(stateless, role);
      const byAction = (action: string) => statements.filter((statement) => asArray(statement.Action).includes(action));

      expect(byAction('events:PutEvents').map((statement) => statement.Resource)).toEqual([imported('EventBus.*Arn')]);
      for (const action of STREAM_READ_ACTIONS) {
        expect(byAction(action).map((statement) => statement.Resource), action).toEqual([imported('SalesTable.*StreamArn')]);
      }
      expect(byAction('sqs:SendMessage').map((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [queue, 'Arn'] }]);
      // A tenant's feed counter (domain/analytics/registry.ts): UpdateItem on the table itself, in a statement
      // of its own, and no other table action (no read, put, delete, query; no index).
      const tableStatements = statements.filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('dynamodb:') && !STREAM_READ_ACTIONS.includes(action)),
      );
      expect(tableStatements.map((statement) => [asArray(statement.Action), statement.Resource])).toEqual([
        [['dynamodb:UpdateItem'], imported('SalesTable.*Arn')],
      ]);
      expect(JSON.stringify(tableStatements)).not.toContain('StreamArn');

      const actions = statements.flatMap((statement) => asArray(statement.Action)).sort();
      expect(actions).toEqual(
        [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:SendMessage',
          ...STREAM_READ_ACTIONS,
          'dynamodb:UpdateItem',
          'events:PutEvents',
        ].sort(),
      );
      expect(byAction('logs:PutLogEvents')[0]?.Resource).toEqual({ 'Fn::GetAtt': [logGroup, 'Arn'] });
    });

    it('is the only one that may put events on the bus or read the stream', () => {
      const { role } = relayIds();
      const policies = stateless.findResources('AWS::IAM::Policy') as Resources;
      const rolesWith = (wanted: string[]) =>
        Object.values(policies)
          .filter((policy) =>
            (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some((statement) =>
              asArray(statement.Action).some((action) => wanted.includes(action)),
            ),
          )
          .flatMap((policy) => (policy.Properties.Roles as { Ref: string }[]).map((ref) => ref.Ref));
      expect(rolesWith(['events:PutEvents', 'events:*'])).toEqual([role]);
      expect(rolesWith([...STREAM_READ_ACTIONS, 'dynamodb:*'])).toEqual([role]);
      // And nothing in the stateful stack (the bus, the table) opens them up by resource policy.
      stateful.resourceCountIs('AWS::Events::EventBusPolicy', 0);
      expect(JSON.stringify(stateful.findResources('AWS::DynamoDB::GlobalTable'))).not.toContain('ResourcePolicy');
    });

    it(`has ${expected.alarms ? 'an' : 'no'} alarm on the dead-letter queue`, () => {
      const { queue } = relayIds();
      const dlqAlarms = stateless.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }] },
      });
      expect(Object.keys(dlqAlarms)).toHaveLength(expected.alarms ? 1 : 0);
      if (expected.alarms) {
        stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 1,
        });
      }
    });
  });

  describe('approval workflow', () => {
    type AslState = { Type: string; Resource?: string; TimeoutSeconds?: number; TimeoutSecondsPath?: string; Catch?: { ErrorEquals: string[] }[]; Retry?: { ErrorEquals: string[] }[] };
    /** The synthesized definition, with the CloudFormation references inside it replaced by a marker. */
    const definition = () => {
      const machines = Object.values(stateless.findResources('AWS::StepFunctions::StateMachine') as Resources);
      expect(machines).toHaveLength(1);
      const join = (machines[0]!.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      const text = join[1].map((part) => (typeof part === 'string' ? part : 'REF')).join(join[0]);
      return JSON.parse(text) as { StartAt: string; States: Record<string, AslState> };
    };
    const importedValue = (pattern: RegExp) => ({ 'Fn::ImportValue': expect.stringMatching(pattern) });
    const ids = () => {
      const workflow = built.stateless.approvalWorkflow;
      return {
        machine: logicalId(workflow.stateMachine.node.defaultChild as CfnResource),
        tasksFn: logicalId(workflow.tasks.fn.node.defaultChild as CfnResource),
      };
    };

    it('is a Standard state machine with tracing and execution logs that leave out execution data (task tokens)', () => {
      stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
    });

    it('gives every wait-for-token task a timeout, and an escalation or rejection on it, and a catch for everything else', () => {
      const { States } = definition();
      const waiting = Object.entries(States).filter(([, state]) => state.Resource?.includes('waitForTaskToken'));
      expect(waiting.map(([name]) => name).sort()).toEqual(['Await decision', 'Await escalated decision']);
      for (const [name, state] of waiting) {
        expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, name).toBeDefined();
        const caught = (state.Catch ?? []).flatMap((catcher) => catcher.ErrorEquals);
        expect(caught, name).toEqual(['States.Timeout', 'ApprovalRejected', 'States.ALL']);
      }
      expect(States['Await decision']?.TimeoutSecondsPath).toBe('$.timeoutSeconds');
      expect(States['Await escalated decision']?.TimeoutSecondsPath).toBe('$.escalationTimeoutSeconds');
    });

    it('retries transient task errors and catches every task but the last resort into Record failure', () => {
      const { States } = definition();
      const tasks = Object.entries(States).filter(([, state]) => state.Type === 'Task');
      // Plan chain, Await decision, Await escalated decision, Next level, Record approval/rejection/timeout/failure.
      expect(tasks.length).toBe(8);
      for (const [name, state] of tasks) {
        expect((state.Retry ?? []).flatMap((retry) => retry.ErrorEquals), name).toContain('Salesflow.Transient');
        if (name !== 'Record failure') expect((state.Catch ?? []).some((catcher) => catcher.ErrorEquals.includes('States.ALL')), name).toBe(true);
      }
      expect(States.Failed?.Type).toBe('Fail');
    });

    it(`runs functions/workflows/approval-tasks.ts with the stage's step timeout (${stageConfig(stage).approvalTaskTimeoutSeconds} s)`, () => {
      const { tasksFn } = ids();
      const resource = (stateless.toJSON().Resources as Resources)[tasksFn];
      expect(resource?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Environment: {
          Variables: {
            TABLE_NAME: importedValue(/SalesTable/),
            APPROVAL_TIMEOUT_SECONDS: String(stageConfig(stage).approvalTaskTimeoutSeconds),
          },
        },
      });
    });

    it('lets only contracts start executions, and only approvals answer tasks and read the link key', () => {
      const { machine } = ids();
      const policies = Object.values(stateless.findResources('AWS::IAM::Policy') as Resources);
      const rolesWith = (action: string) =>
        policies
          .filter((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some((st) => asArray(st.Action).includes(action)))
          .flatMap((policy) => (policy.Properties.Roles as { Ref: string }[]).map((ref) => ref.Ref));
      const roleOf = (name: FunctionName) => logicalId(built.stateless.functions[name].role.node.defaultChild as CfnResource);
      expect(rolesWith('states:StartExecution')).toEqual([roleOf('contracts')]);
      expect(rolesWith('states:SendTaskSuccess')).toEqual([roleOf('approvals')]);
      expect(rolesWith('states:SendTaskFailure')).toEqual([roleOf('approvals')]);
      // Each secret is read by the functions that need it: the link key by approvals alone, the cursor key by
      // every function that serves a list (none of them can sign an approval link).
      const rolesReading = (secret: RegExp) =>
        policies
          .filter((policy) =>
            (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
              (st) => asArray(st.Action).includes('secretsmanager:GetSecretValue') && secret.test(JSON.stringify(st.Resource)),
            ),
          )
          .flatMap((policy) => (policy.Properties.Roles as { Ref: string }[]).map((ref) => ref.Ref))
          .sort();
      expect(rolesReading(/ApprovalLinkSecret/)).toEqual([roleOf('approvals')]);
      expect(LISTING_FUNCTIONS).toEqual(['customers', 'audit', 'pipeline', 'catalog', 'quotes', 'contracts', 'approvals', 'tasks', 'assignment', 'analytics']);
      expect(rolesReading(/ListCursorSecret/)).toEqual(LISTING_FUNCTIONS.map(roleOf).sort());
      expect(rolesWith('secretsmanager:GetSecretValue').sort()).toEqual(LISTING_FUNCTIONS.map(roleOf).sort());
      const start = policies
        .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .find((statement) => asArray(statement.Action).includes('states:StartExecution'));
      expect(start?.Resource).toEqual({ Ref: machine });
      const environment = (name: FunctionName) =>
        ((stateless.toJSON().Resources as Resources)[logicalId(built.stateless.functions[name].fn.node.defaultChild as CfnResource)]?.Properties
          .Environment as { Variables: Record<string, unknown> }).Variables;
      expect(environment('contracts').APPROVAL_STATE_MACHINE_ARN).toEqual({ Ref: machine });
      expect(environment('approvals')).toMatchObject({ APPROVAL_STATE_MACHINE_ARN: { Ref: machine }, APPROVAL_LINK_SECRET_ARN: importedValue(/ApprovalLinkSecret/) });
      for (const name of FUNCTIONS) {
        expect(environment(name).CURSOR_SECRET_ARN, name).toEqual(LISTING_FUNCTIONS.includes(name) ? importedValue(/ListCursorSecret/) : undefined);
        if (name !== 'approvals') expect(environment(name).APPROVAL_LINK_SECRET_ARN, name).toBeUndefined();
      }
    });

    it('keeps the link key and the cursor key as generated secrets in the stateful stack', () => {
      stateful.resourceCountIs('AWS::SecretsManager::Secret', 2);
      for (const purpose of ['approval links', 'list cursors']) {
        stateful.hasResource('AWS::SecretsManager::Secret', {
          Properties: {
            Description: Match.stringLikeRegexp(purpose),
            GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
          },
          DeletionPolicy: expected.retain ? 'Retain' : 'Delete',
        });
      }
    });
  });

  /** The scheduled jobs: their construct, expression, limits and a string only their bundle has (its log line). */
  const JOBS = [
    { title: 'reminders', entry: 'reminders.ts', rate: 'remindersRate', limits: 'reminders', job: () => built.stateless.remindersJob, logLine: 'reminders run' },
    { title: 'KPI rollup', entry: 'kpi-rollup.ts', rate: 'kpiRollupRate', limits: 'kpiRollup', job: () => built.stateless.kpiRollupJob, logLine: 'kpi rollup run' },
  ] as const;

  it('has one schedule per job, each on its own function', () => {
    const schedules = Object.values(stateless.findResources('AWS::Scheduler::Schedule') as Resources);
    expect(schedules.map((schedule) => (schedule.Properties.Target as { Arn: unknown }).Arn)).toEqual(
      JOBS.map(({ job }) => ({ 'Fn::GetAtt': [logicalId(job().function.fn.node.defaultChild as CfnResource), 'Arn'] })),
    );
  });

  describe.each(JOBS)('$title schedule', ({ entry, rate, limits, job: jobOf, logLine }) => {
    it(`runs functions/schedules/${entry} on the stage's expression (${stageConfig(stage).schedules[rate]}) with retries and a dead-letter queue`, () => {
      const job = jobOf();
      const fn = logicalId(job.function.fn.node.defaultChild as CfnResource);
      const queue = logicalId(job.deadLetterQueue.node.defaultChild as CfnResource);
      const schedule = (stateless.findResources('AWS::Scheduler::Schedule') as Resources)[logicalId(job.schedule.node.defaultChild as CfnResource)];
      expect(schedule?.Properties).toMatchObject({
        ScheduleExpression: stageConfig(stage).schedules[rate],
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
        },
      });
      const resource = (stateless.toJSON().Resources as Resources)[fn];
      expect(resource?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        MemorySize: expected[limits].memoryMb,
        Timeout: expected[limits].timeout,
        Environment: { Variables: { STAGE: stage, TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/SalesTable/) } } },
      });
      const s3Key = (resource?.Properties.Code as { S3Key: string }).S3Key;
      const bundle = join(built.app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs');
      expect(readFileSync(bundle, 'utf8')).toContain(logLine);
    });

    it('lets the schedule invoke only the job, and the job use the table', () => {
      const job = jobOf();
      const fn = logicalId(job.function.fn.node.defaultChild as CfnResource);
      const role = logicalId(job.function.role.node.defaultChild as CfnResource);
      const scheduleRole = (stateless.findResources('AWS::Scheduler::Schedule') as Resources)[logicalId(job.schedule.node.defaultChild as CfnResource)]!
        .Properties.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } };
      const invoke = statementsOfRole(stateless, scheduleRole.RoleArn['Fn::GetAtt'][0]).filter((st) => asArray(st.Action).includes('lambda:InvokeFunction'));
      expect(invoke.map((st) => st.Resource)).toEqual([[{ 'Fn::GetAtt': [fn, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fn, 'Arn'] }, ':*']] }]]);
      const dynamo = statementsOfRole(stateless, role).flatMap((st) => asArray(st.Action)).filter((action) => action.startsWith('dynamodb:'));
      expect(dynamo).toEqual(expect.arrayContaining(['dynamodb:Query', ...WRITE_ACTIONS]));
      expect(dynamo).not.toContain('dynamodb:Scan');
    });

    it(`has ${expected.alarms ? 'an alarm on its errors and one' : 'no alarm on its errors nor'} on its dead-letter queue`, () => {
      const job = jobOf();
      const fn = logicalId(job.function.fn.node.defaultChild as CfnResource);
      const queue = logicalId(job.deadLetterQueue.node.defaultChild as CfnResource);
      const errors = stateless.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }] },
      });
      const deadLetters = stateless.findResources('AWS::CloudWatch::Alarm', {
        Properties: {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        },
      });
      expect(Object.keys(errors)).toHaveLength(expected.alarms ? 1 : 0);
      expect(Object.keys(deadLetters)).toHaveLength(expected.alarms ? 1 : 0);
    });
  });

  it(`has alarms ${expected.alarms ? 'on' : 'off'}`, () => {
    // API 5xx, errors and throttles per function, the outbox relay's dead-letter queue and iterator age, failed
    // approval executions and approval task errors, the reminders and KPI rollup schedules' dead-letter queues and
    // those jobs' errors, table throttles.
    stateless.resourceCountIs('AWS::CloudWatch::Alarm', expected.alarms ? 1 + 2 * FUNCTIONS.length + 2 + 2 + 2 + 2 + 1 : 0);
    expect(Object.keys(built.stateless.alarms).length).toBe(expected.alarms ? 1 + 2 * FUNCTIONS.length + 2 + 2 + 2 + 2 + 1 : 0);
    expect(Object.keys(built.stateless.alarms).filter((id) => id.startsWith('KpiRollup')).sort()).toEqual(
      expected.alarms ? ['KpiRollupDeadLetterAlarm', 'KpiRollupErrorsAlarm'] : [],
    );
    if (expected.alarms) {
      const relay = logicalId(built.stateless.outboxRelay.function.fn.node.defaultChild as CfnResource);
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: relay } }],
        Statistic: 'Maximum',
        Threshold: 10 * 60 * 1000,
        EvaluationPeriods: 2,
      });
      const job = logicalId(built.stateless.remindersJob.function.fn.node.defaultChild as CfnResource);
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: job } }],
      });
      // Read and write throttle events of the table, summed.
      const throttles = Object.values(stateless.findResources('AWS::CloudWatch::Alarm') as Resources).find((alarm) =>
        JSON.stringify(alarm.Properties.Metrics ?? []).includes('WriteThrottleEvents'),
      );
      expect(JSON.stringify(throttles?.Properties.Metrics)).toContain('ReadThrottleEvents');
      expect(throttles?.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      // Every alarm names its entry in the README's runbook, and the runbook has it.
      const runbook = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('\n## Runbook\n')[1]?.split('\n## ')[0] ?? '';
      const resources = stateless.toJSON().Resources as Resources;
      for (const [id, alarm] of Object.entries(built.stateless.alarms)) {
        const description = resources[logicalId(alarm.node.defaultChild as CfnResource)]?.Properties.AlarmDescription;
        const entry = id.startsWith('Fn-') ? id.replace(/^Fn-[a-z]+-/, 'Fn-<function>-') : id;
        expect(description, id).toEqual(expect.stringContaining(`(README: Runbook → ${id})`));
        expect(runbook, `README runbook entry for ${entry}`).toContain(`\`${entry}\``);
      }
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Threshold: 1 });
      for (const name of FUNCTIONS) {
        const fn = built.stateless.functions[name].fn.node.defaultChild as CfnResource;
        for (const metric of ['Errors', 'Throttles']) {
          stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }],
          });
        }
      }
    }
  });

  describe('resource limits (OWASP API4)', () => {
    const routeKey = (route: RouteDefinition) => `${route.method} ${route.path}`;
    const lambdas = () => Object.entries(stateless.findResources('AWS::Lambda::Function') as Resources);
    const reservedOf = (construct: { node: { defaultChild?: unknown } }) =>
      (stateless.toJSON().Resources as Resources)[logicalId(construct.node.defaultChild as CfnResource)]?.Properties.ReservedConcurrentExecutions;

    it(`throttles every route at ${expected.throttle.rate}/s (burst ${expected.throttle.burst}), and each route without a token at ${expected.publicThrottle.rate}/s (burst ${expected.publicThrottle.burst})`, () => {
      const [apiStage] = Object.values(stateless.findResources('AWS::ApiGatewayV2::Stage') as Resources);
      const publicRoutes = allRoutes.filter((route) => route.access === 'public');
      expect(publicRoutes.map(routeKey)).toEqual(expect.arrayContaining(['GET /approval-links/{token}', 'POST /approval-links/{token}']));
      expect(apiStage?.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: expected.throttle.rate, ThrottlingBurstLimit: expected.throttle.burst });
      // Exactly the public routes have settings of their own, all of them the tighter limit.
      expect(apiStage?.Properties.RouteSettings).toEqual(
        Object.fromEntries(
          publicRoutes.map((route) => [routeKey(route), { ThrottlingRateLimit: expected.publicThrottle.rate, ThrottlingBurstLimit: expected.publicThrottle.burst }]),
        ),
      );
      expect(expected.publicThrottle.rate).toBeLessThan(expected.throttle.rate / 2);
      expect(expected.publicThrottle.burst).toBeLessThan(expected.throttle.burst / 2);
      // CloudFormation refuses a route setting for a route it has not created yet: the stage waits for them.
      const stageResource = Object.values(stateless.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[] }>).find(
        (resource) => resource.Type === 'AWS::ApiGatewayV2::Stage',
      );
      const routeIds = Object.entries(stateless.findResources('AWS::ApiGatewayV2::Route') as Resources)
        .filter(([, route]) => publicRoutes.some((publicRoute) => routeKey(publicRoute) === route.Properties.RouteKey))
        .map(([id]) => id);
      expect(routeIds).toHaveLength(publicRoutes.length);
      expect(stageResource?.DependsOn).toEqual(expect.arrayContaining(routeIds));
    });

    it(`reserves concurrency per function from the stage config, ${expected.reserved.total} in all`, () => {
      for (const name of FUNCTIONS) expect(reservedOf(built.stateless.functions[name].fn), name).toBe(expected.reserved.http[name]);
      expect(reservedOf(built.stateless.outboxRelay.function.fn)).toBe(expected.reserved.relay);
      expect(reservedOf(built.stateless.remindersJob.function.fn)).toBe(expected.reserved.reminders);
      expect(reservedOf(built.stateless.kpiRollupJob.function.fn)).toBe(expected.reserved.kpiRollup);
      expect(reservedOf(built.stateless.approvalWorkflow.tasks.fn)).toBe(expected.reserved.approvalTasks);
      const total = lambdas().reduce((sum, [, fn]) => sum + ((fn.Properties.ReservedConcurrentExecutions as number | undefined) ?? 0), 0);
      expect(total).toBe(expected.reserved.total);
      // Headroom in an account with the default regional quota of 1,000 (of which Lambda keeps 100 unreserved):
      // no stage takes more than 45% of it (test/infra/app.test.ts checks all stages in one account).
      expect(total).toBeLessThanOrEqual(450);
    });

    it(`caps the table and each of its indexes at ${expected.tableMax.read} read and ${expected.tableMax.write} write request units per second`, () => {
      const [resource] = Object.values(stateful.findResources('AWS::DynamoDB::GlobalTable') as Resources);
      const properties = resource?.Properties as {
        BillingMode: string;
        WriteOnDemandThroughputSettings: unknown;
        GlobalSecondaryIndexes: { IndexName: string; WriteOnDemandThroughputSettings?: unknown }[];
        Replicas: { ReadOnDemandThroughputSettings?: unknown; GlobalSecondaryIndexes?: { IndexName: string; ReadOnDemandThroughputSettings?: unknown }[] }[];
      };
      expect(properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(properties.WriteOnDemandThroughputSettings).toEqual({ MaxWriteRequestUnits: expected.tableMax.write });
      expect(properties.Replicas[0]?.ReadOnDemandThroughputSettings).toEqual({ MaxReadRequestUnits: expected.tableMax.read });
      expect(properties.GlobalSecondaryIndexes.map((index) => [index.IndexName, index.WriteOnDemandThroughputSettings])).toEqual(
        GLOBAL_INDEXES.map((index) => [index.name, { MaxWriteRequestUnits: expected.tableMax.write }]),
      );
      expect(properties.Replicas[0]?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.ReadOnDemandThroughputSettings])).toEqual(
        GLOBAL_INDEXES.map((index) => [index.name, { MaxReadRequestUnits: expected.tableMax.read }]),
      );
    });

    it('retries a throttled invocation of an approval task (its reserved concurrency is a cap) instead of failing the approval', () => {
      const [machine] = Object.values(stateless.findResources('AWS::StepFunctions::StateMachine') as Resources);
      const join = (machine!.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      const asl = JSON.parse(join[1].map((part) => (typeof part === 'string' ? part : 'REF')).join(join[0])) as {
        States: Record<string, { Type: string; Retry?: { ErrorEquals: string[]; MaxAttempts: number }[] }>;
      };
      const tasks = Object.entries(asl.States).filter(([, state]) => state.Type === 'Task');
      expect(tasks.length).toBeGreaterThan(0);
      for (const [name, state] of tasks) {
        const retry = state.Retry?.find((retrier) => retrier.ErrorEquals.includes('Lambda.TooManyRequestsException'));
        expect(retry?.MaxAttempts, name).toBeGreaterThanOrEqual(3);
      }
    });
  });

  describe('observability', () => {
    type Widget = { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[]; markdown?: string } };
    /** The dashboard body, with every CloudFormation reference written as REF:<logical id>. */
    const dashboard = () => {
      const dashboards = Object.values(stateless.findResources('AWS::CloudWatch::Dashboard') as Resources);
      expect(dashboards).toHaveLength(1);
      const join = (dashboards[0]!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      const text = join[1]
        .map((part) => {
          if (typeof part === 'string') return part;
          const ref = part as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::ImportValue'?: string };
          return `REF:${ref.Ref ?? ref['Fn::GetAtt']?.[0] ?? ref['Fn::ImportValue'] ?? '?'}`;
        })
        .join(join[0]);
      return { name: dashboards[0]!.Properties.DashboardName, widgets: (JSON.parse(text) as { widgets: Widget[] }).widgets };
    };
    const widget = (title: string) => {
      const found = dashboard().widgets.find((candidate) => candidate.properties.title === title);
      expect(found, title).toBeDefined();
      return found!;
    };
    /** [namespace, metric name, ...dimension name/value pairs] of a widget's metrics (math expressions left out). */
    const metricsOf = (title: string) =>
      (widget(title).properties.metrics ?? []).map((row) => row.filter((cell) => typeof cell === 'string') as string[]).filter((row) => row.length > 1);
    const idOf = (construct: { node: { defaultChild?: unknown } }) => logicalId(construct.node.defaultChild as CfnResource);
    const everyFunction = () => [
      ...FUNCTIONS.map((name) => built.stateless.functions[name].fn),
      built.stateless.approvalWorkflow.tasks.fn,
      built.stateless.remindersJob.function.fn,
      built.stateless.kpiRollupJob.function.fn,
      built.stateless.outboxRelay.function.fn,
    ];
    const bundleSources = (construct: { node: { defaultChild?: unknown } }) => {
      const resource = (stateless.toJSON().Resources as Resources)[idOf(construct)];
      const dir = join(built.app.outdir, `asset.${(resource?.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`);
      return (JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources.map((source) =>
        relative(REPO_ROOT, resolve(dir, source)),
      );
    };

    it(`has one dashboard, salesflow-${stage}, with the API, every function, the queues, the workflow, the table and the business metrics`, () => {
      const { name, widgets } = dashboard();
      expect(name).toBe(`salesflow-${stage}`);
      expect(widgets.filter((candidate) => candidate.properties.title).map((candidate) => candidate.properties.title)).toEqual([
        ...(expected.alarms ? ['Alarms'] : []),
        'API requests, 4xx and 5xx',
        'API latency p50 / p99 (ms)',
        'Function errors',
        'Function throttles',
        'Function duration p99 (ms)',
        'Function concurrency (max)',
        'Cold starts',
        'Dead-letter queues (messages waiting)',
        'Outbox relay iterator age (ms)',
        'Approval executions',
        'Table throttle events',
        'Table consumption vs maximum (request units/s)',
        'Pipeline outcomes',
        'Contract approvals',
        'Reminders and follow-ups',
        'KPI rollup',
        'Outbox events',
      ]);
      expect(metricsOf('API requests, 4xx and 5xx').map((row) => row.slice(0, 2))).toEqual([
        ['AWS/ApiGateway', 'Count'],
        ['AWS/ApiGateway', '4xx'],
        ['AWS/ApiGateway', '5xx'],
      ]);
      const latency = widget('API latency p50 / p99 (ms)').properties.metrics ?? [];
      expect(latency.map((row) => (row.at(-1) as { stat: string }).stat)).toEqual(['p50', 'p99', 'p99']);
      for (const [title, metric] of [
        ['Function errors', 'Errors'],
        ['Function throttles', 'Throttles'],
        ['Function duration p99 (ms)', 'Duration'],
        ['Function concurrency (max)', 'ConcurrentExecutions'],
      ] as const) {
        expect(metricsOf(title), title).toEqual(everyFunction().map((fn) => ['AWS/Lambda', metric, 'FunctionName', `REF:${idOf(fn)}`]));
      }
      expect(metricsOf('Cold starts')).toEqual(
        everyFunction().map((fn) => ['Salesflow', 'ColdStart', 'function_name', `REF:${idOf(fn)}`, 'service', 'salesflow', 'stage', stage]),
      );
      expect(metricsOf('Dead-letter queues (messages waiting)')).toEqual(
        [built.stateless.outboxRelay.deadLetterQueue, built.stateless.remindersJob.deadLetterQueue, built.stateless.kpiRollupJob.deadLetterQueue].map((queue) => [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          `REF:${idOf(queue)}`,
        ]),
      );
      expect(metricsOf('Outbox relay iterator age (ms)')).toEqual([['AWS/Lambda', 'IteratorAge', 'FunctionName', `REF:${idOf(built.stateless.outboxRelay.function.fn)}`]]);
      expect(metricsOf('Approval executions').map((row) => row[1])).toEqual(
        ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted', 'ExecutionThrottled'],
      );
      expect(metricsOf('Table throttle events').map((row) => row.slice(0, 2))).toEqual([
        ['AWS/DynamoDB', 'ReadThrottleEvents'],
        ['AWS/DynamoDB', 'WriteThrottleEvents'],
      ]);
      // Business metrics: namespace Salesflow, dimensions service and stage, and nothing per tenant.
      const business = ['Pipeline outcomes', 'Contract approvals', 'Reminders and follow-ups', 'KPI rollup', 'Outbox events'].flatMap(metricsOf);
      expect(business.map((row) => row[1])).toEqual([
        'OpportunitiesWon',
        'OpportunitiesLost',
        'ContractsSubmitted',
        'ContractsApproved',
        'ContractsRejected',
        'ContractsTimedOut',
        'ContractApprovalsFailed',
        'RemindersSent',
        'StaleDealFollowUps',
        'ReminderTimersDue',
        'KpiEventsRolledUp',
        'EventsRelayed',
        'OutboxRecordsRetried',
      ]);
      for (const row of business) expect(row.slice(2)).toEqual(['service', 'salesflow', 'stage', stage]);
      const salesflowRows = widgets.flatMap((candidate) => candidate.properties.metrics ?? []).filter((row) => row[0] === 'Salesflow');
      const dimensionNames = salesflowRows.flatMap((row) => (row.filter((cell) => typeof cell === 'string') as string[]).slice(2).filter((_, index) => index % 2 === 0));
      expect([...new Set(dimensionNames)].sort()).toEqual(['function_name', 'service', 'stage']);
    });

    it(`shows the state of ${expected.alarms ? 'every alarm' : 'no alarm (the stage has none)'} on the dashboard`, () => {
      const alarms = dashboard().widgets.find((candidate) => candidate.type === 'alarm');
      if (!expected.alarms) {
        expect(alarms).toBeUndefined();
        return;
      }
      expect(alarms?.properties.alarms?.sort()).toEqual(Object.keys(stateless.findResources('AWS::CloudWatch::Alarm')).map((id) => `REF:${id}`).sort());
    });

    it('gives every function X-Ray active tracing, the Powertools service name and the Salesflow metrics namespace', () => {
      const resources = stateless.toJSON().Resources as Resources;
      for (const fn of everyFunction()) {
        expect(resources[idOf(fn)]?.Properties, idOf(fn)).toMatchObject({
          TracingConfig: { Mode: 'Active' },
          Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'salesflow', POWERTOOLS_METRICS_NAMESPACE: 'Salesflow', STAGE: stage } },
        });
      }
      // Metrics are log lines (EMF): nobody needs cloudwatch:PutMetricData.
      expect(JSON.stringify(stateless.findResources('AWS::IAM::Policy'))).not.toContain('cloudwatch:');
    });

    it('bundles the Powertools Tracer (aws-xray-sdk-core) into the background functions only, Metrics into every function', () => {
      const tracer = (sources: string[]) => sources.some((source) => source.includes('node_modules/aws-xray-sdk-core/'));
      const metrics = (sources: string[]) => sources.some((source) => source.includes('node_modules/@aws-lambda-powertools/metrics/'));
      for (const fn of [
        built.stateless.outboxRelay.function.fn,
        built.stateless.remindersJob.function.fn,
        built.stateless.kpiRollupJob.function.fn,
        built.stateless.approvalWorkflow.tasks.fn,
      ]) {
        const sources = bundleSources(fn);
        expect(tracer(sources), idOf(fn)).toBe(true);
        expect(metrics(sources), idOf(fn)).toBe(true);
      }
      // The HTTP functions' cold start is a user's wait: no X-Ray SDK there (~40 ms of init, bench/FINDINGS.md).
      for (const name of FUNCTIONS) {
        const sources = bundleSources(built.stateless.functions[name].fn);
        expect(tracer(sources), name).toBe(false);
        expect(metrics(sources), name).toBe(true);
      }
    });
  });

  describe('cdk-nag (AwsSolutions)', () => {
    it('leaves no finding unacknowledged, errors or warnings', () => {
      expect(nagFindings(built.app)).toEqual([]);
    });

    it('gives every acknowledgment a real reason, also in the templates', () => {
      const acknowledged = built.app.node
        .findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const [id, reason] of acknowledged) {
        expect(id).toMatch(/AwsSolutions-/);
        expect(reason.trim().length, id).toBeGreaterThanOrEqual(30);
      }

      for (const template of [stateful, stateless]) {
        for (const resource of Object.values(template.toJSON().Resources as Resources)) {
          const nag = resource.Metadata?.cdk_nag as { rules_to_suppress: { id: string; reason: string }[] } | undefined;
          for (const rule of nag?.rules_to_suppress ?? []) expect(rule.reason.trim().length, rule.id).toBeGreaterThanOrEqual(30);
        }
      }
    });

    it('acknowledges SQS3 (queue without a DLQ) only on the dead-letter queues of the outbox relay and the two schedules', () => {
      const withSqs3 = Object.entries(stateless.toJSON().Resources as Resources)
        .filter(([, resource]) =>
          (resource.Metadata?.cdk_nag as { rules_to_suppress: { id: string }[] } | undefined)?.rules_to_suppress.some(
            (rule) => rule.id === 'AwsSolutions-SQS3',
          ),
        )
        .map(([id]) => id);
      const queues = [built.stateless.outboxRelay.deadLetterQueue, built.stateless.remindersJob.deadLetterQueue, built.stateless.kpiRollupJob.deadLetterQueue];
      const ids = queues.flatMap((queue) => [
        logicalId(queue.node.defaultChild as CfnResource),
        logicalId(queue.node.findChild('Policy').node.defaultChild as CfnResource),
      ]);
      expect(withSqs3.sort()).toEqual(ids.sort());
    });

    it('acknowledges APIG4 (no authorizer) only on the public routes', () => {
      const routesWithApig4 = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route') as Resources)
        .filter((route) =>
          (route.Metadata?.cdk_nag as { rules_to_suppress: { id: string }[] } | undefined)?.rules_to_suppress.some(
            (rule) => rule.id === 'AwsSolutions-APIG4',
          ),
        )
        .map((route) => route.Properties.RouteKey);
      expect(routesWithApig4.sort()).toEqual(
        ['GET /health', 'GET /openapi.json', 'GET /approval-links/{token}', 'POST /approval-links/{token}'].sort(),
      );
    });
  });
});
