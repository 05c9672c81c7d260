/**
 * The synthesized stacks of every stage: what deploys is what the route table, the table definition and the
 * stage settings say. Assertions on specific resources only, never whole-template snapshots.
 */
import { type CfnResource, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../domain/shared/actor';
import { GLOBAL_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../domain/table';
import { FUNCTIONS, type FunctionName, type RouteDefinition, routes } from '../../functions/http/routes';
import { STAGES, type Stage } from '../../infra/config/stages';
import { logicalId, nagFindings, type SynthesizedStage, synthStage } from './synth';

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
    alarms: true,
    userPoolTier: 'PLUS',
  },
};

/** Least privilege, as the functions' code needs it today. */
const EXPECTED_ACCESS: Record<FunctionName, { table: 'none' | 'read' | 'read-write'; putEvents: boolean }> = {
  system: { table: 'none', putEvents: false },
  customers: { table: 'read-write', putEvents: false },
  audit: { table: 'read', putEvents: false },
};

const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

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
      expect(GLOBAL_INDEXES.map((index) => index.name)).toEqual(['gsi1', 'gsi2', 'gsi3']);
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
    it('has one function per FUNCTIONS entry: nodejs22.x, arm64, X-Ray, stage memory and environment', () => {
      expect(FUNCTIONS).toEqual(['system', 'customers', 'audit']);
      stateless.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
      for (const name of FUNCTIONS) {
        const fn = built.stateless.functions[name].fn.node.defaultChild as CfnResource;
        const resource = stateless.toJSON().Resources[logicalId(fn)] as { Properties: Record<string, unknown> };
        expect(resource.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          MemorySize: expected.memoryMb,
          Timeout: 10,
          Environment: {
            Variables: {
              TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/SalesTable/) },
              STAGE: stage,
              POWERTOOLS_SERVICE_NAME: 'salesflow',
              POWERTOOLS_LOG_LEVEL: expected.logLevel,
              NODE_OPTIONS: '--enable-source-maps',
            },
          },
        });
      }
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
      expect(used.size).toBe(FUNCTIONS.length);
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

    it('names the table and each index instead of index/*, and uses "*" only for X-Ray', () => {
      const policies = stateless.findResources('AWS::IAM::Policy') as Resources;
      for (const policy of Object.values(policies)) {
        for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
          if (statement.Resource === '*') {
            expect(asArray(statement.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
          }
          if (asArray(statement.Action).some((action) => action.startsWith('dynamodb:'))) {
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
          AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
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

  it(`has alarms ${expected.alarms ? 'on' : 'off'}`, () => {
    stateless.resourceCountIs('AWS::CloudWatch::Alarm', expected.alarms ? 1 + 2 * FUNCTIONS.length : 0);
    if (expected.alarms) {
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

    it('acknowledges APIG4 (no authorizer) only on the public routes', () => {
      const routesWithApig4 = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route') as Resources)
        .filter((route) =>
          (route.Metadata?.cdk_nag as { rules_to_suppress: { id: string }[] } | undefined)?.rules_to_suppress.some(
            (rule) => rule.id === 'AwsSolutions-APIG4',
          ),
        )
        .map((route) => route.Properties.RouteKey);
      expect(routesWithApig4.sort()).toEqual(['GET /health', 'GET /openapi.json']);
    });
  });
});
