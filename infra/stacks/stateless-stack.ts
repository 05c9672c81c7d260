import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Stage, Validations } from 'aws-cdk-lib';
import {
  type CfnRoute,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { GLOBAL_INDEXES } from '../../domain/table';
import { OPENAPI_FILE } from '../../functions/http/system/routes';
import { FUNCTIONS, type FunctionName, type RouteDefinition, routes } from '../../functions/http/routes';
import type { StageConfig } from '../config/stages';
import { ApiFunction, REPO_ROOT } from '../constructs/api-function';
import { ApprovalWorkflow } from '../constructs/approval-workflow';
import { ScheduledJob } from '../constructs/scheduled-job';
import { OutboxRelay } from '../constructs/outbox-relay';
import { writeOpenApiDocument } from '../openapi/write';

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  table: ITableV2;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
  eventBus: IEventBus;
  approvalLinkSecret: ISecret;
}

interface FunctionAccess {
  table: 'none' | 'read' | 'read-write';
  publishesEvents: boolean;
}

/**
 * Least privilege per function. Typed by FunctionName, so a new entry in FUNCTIONS does not compile until it
 * says here what it may touch.
 */
const FUNCTION_ACCESS: Record<FunctionName, FunctionAccess> = {
  // Health check and the OpenAPI document: no data at all.
  system: { table: 'none', publishesEvents: false },
  // Customers, contacts, activities, with their audit entries, uniqueness guards and idempotency records.
  // Domain events go to the outbox in the table; only the outbox relay talks to the bus.
  customers: { table: 'read-write', publishesEvents: false },
  // Reads the audit trail; entries are written by the functions that make the changes.
  audit: { table: 'read', publishesEvents: false },
  // Tenant settings (admins write).
  settings: { table: 'read-write', publishesEvents: false },
  // Pipeline configuration, opportunities, stage history, follow-ups (and the customer lifecycle they move).
  pipeline: { table: 'read-write', publishesEvents: false },
  // Reads the outbox as the tenant's change feed.
  events: { table: 'read', publishesEvents: false },
  // The product catalog (with its SKU guards).
  catalog: { table: 'read-write', publishesEvents: false },
  // Quotes, priced from the catalog and settings, and the opportunity amount the primary quote sets.
  quotes: { table: 'read-write', publishesEvents: false },
  // Contract templates and contracts rendered from accepted quotes; starts their approval workflow.
  contracts: { table: 'read-write', publishesEvents: false },
  // Approval policy, requests and decisions (answers the workflow's waiting tasks), signed links.
  approvals: { table: 'read-write', publishesEvents: false },
  // The caller's notifications (reads them, marks them read).
  notifications: { table: 'read-write', publishesEvents: false },
  // Tasks and follow-ups (with their reminder timers; completing one can log an activity).
  tasks: { table: 'read-write', publishesEvents: false },
  // Rep profiles, assignment rules and assignments of customers and opportunities.
  assignment: { table: 'read-write', publishesEvents: false },
};

// No Scan: request paths read by key (DESIGN). ConditionCheckItem is what transaction guards need.
const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/** The code: API, functions, alarms. Safe to destroy and redeploy at any time. */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly functions: Record<FunctionName, ApiFunction>;
  /** The table stream → EventBridge publisher of domain events. */
  readonly outboxRelay: OutboxRelay;
  /** The contract approval state machine and its tasks function. */
  readonly approvalWorkflow: ApprovalWorkflow;
  /** Reminders and escalations, on an EventBridge Scheduler schedule. */
  readonly remindersJob: ScheduledJob;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, userPool, userPoolClient, eventBus, approvalLinkSecret } = props;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // The table and its indexes by name, not `index/*`.
    const tableResources = [table.tableArn, ...GLOBAL_INDEXES.map((index) => `${table.tableArn}/index/${index.name}`)];

    // The OpenAPI document, generated once per synth into the cloud assembly (cdk.out/openapi.json) and copied
    // into the system function's bundle, which serves it as a static file. Written before the functions are
    // built: a function's bundling runs when it is constructed.
    const openApiDocument = writeOpenApiDocument(
      join(Stage.of(this)?.outdir ?? mkdtempSync(join(tmpdir(), 'salesflow-openapi-')), OPENAPI_FILE),
    );

    const functions = {} as Record<FunctionName, ApiFunction>;
    for (const name of FUNCTIONS) {
      const access = FUNCTION_ACCESS[name];
      const fn = new ApiFunction(this, `Fn-${name}`, {
        entry: join(REPO_ROOT, 'functions', 'http', name, 'handler.ts'),
        description: `Salesflow ${config.stage}: ${name} HTTP routes`,
        stage: config.stage,
        tableName: table.tableName,
        logLevel: config.logLevel,
        logRetention: config.logRetention,
        removalPolicy,
        memorySize: config.lambda.memoryMb,
        timeout: Duration.seconds(config.lambda.timeoutSeconds),
        environment: access.publishesEvents ? { EVENT_BUS_NAME: eventBus.eventBusName } : {},
        ...(name === 'system' && { bundleFiles: { [OPENAPI_FILE]: openApiDocument } }),
      });
      if (access.table !== 'none') {
        const actions = access.table === 'read' ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
        fn.role.addToPrincipalPolicy(new PolicyStatement({ actions, resources: tableResources }));
      }
      if (access.publishesEvents) eventBus.grantPutEventsTo(fn.role);
      functions[name] = fn;
    }
    this.functions = functions;

    this.approvalWorkflow = new ApprovalWorkflow(this, 'ApprovalWorkflow', {
      stage: config.stage,
      tableName: table.tableName,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      removalPolicy,
      memorySize: config.lambda.memoryMb,
      timeout: Duration.seconds(config.lambda.timeoutSeconds),
      stepTimeoutSeconds: config.approvalTaskTimeoutSeconds,
    });
    this.approvalWorkflow.tasks.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], resources: tableResources }),
    );
    const { stateMachine } = this.approvalWorkflow;
    // Contracts start executions (submit); approvals answer waiting tasks (decisions) and sign links.
    functions.contracts.fn.addEnvironment('APPROVAL_STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    stateMachine.grantStartExecution(functions.contracts.role);
    functions.approvals.fn.addEnvironment('APPROVAL_STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    stateMachine.grantTaskResponse(functions.approvals.role);
    functions.approvals.fn.addEnvironment('APPROVAL_LINK_SECRET_ARN', approvalLinkSecret.secretArn);
    approvalLinkSecret.grantRead(functions.approvals.role);

    this.remindersJob = new ScheduledJob(this, 'Reminders', {
      stage: config.stage,
      entry: join(REPO_ROOT, 'functions', 'schedules', 'reminders.ts'),
      description: `Salesflow ${config.stage}: task reminders, escalations, stale-deal follow-ups, approval reminders`,
      expression: config.schedules.remindersRate,
      tableName: table.tableName,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      removalPolicy,
      memorySize: config.lambda.memoryMb,
      // A run works through everything due; a backlog after an outage takes longer than a request.
      timeout: Duration.minutes(5),
      alarms: config.alarms.enabled,
    });
    this.remindersJob.function.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], resources: tableResources }),
    );

    this.outboxRelay = new OutboxRelay(this, 'OutboxRelay', {
      stage: config.stage,
      table,
      eventBus,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      removalPolicy,
      memorySize: config.lambda.memoryMb,
      timeout: Duration.seconds(config.lambda.timeoutSeconds),
    });

    const authorizer = new HttpJwtAuthorizer(
      'CognitoJwt',
      `https://cognito-idp.${this.region}.amazonaws.com/${userPool.userPoolId}`,
      { jwtAudience: [userPoolClient.userPoolClientId] },
    );

    const allRoutes: readonly RouteDefinition[] = routes;
    const methods = [...new Set(allRoutes.map((route) => route.method))];
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `salesflow-${config.stage}`,
      description: `Salesflow ${config.stage} API`,
      createDefaultStage: false,
      // Routes are JWT-protected unless they say otherwise; public ones opt out explicitly below.
      defaultAuthorizer: authorizer,
      corsPreflight: {
        allowOrigins: [...config.api.corsAllowOrigins],
        allowMethods: [...methods.map((method) => CorsHttpMethod[method]), CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
        exposeHeaders: ['etag', 'location'],
        maxAge: Duration.hours(1),
      },
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: config.logRetention, removalPolicy });
    this.apiStage = new HttpStage(this, 'ApiStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: config.api.throttlingRateLimit, burstLimit: config.api.throttlingBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            routeKey: AccessLogField.contextRouteKey(),
            status: AccessLogField.contextStatus(),
            latency: AccessLogField.contextResponseLatency(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            integrationError: AccessLogField.contextIntegrationErrorMessage(),
            authorizerError: AccessLogField.contextAuthorizerError(),
            ip: AccessLogField.contextIdentitySourceIp(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
            requestTime: AccessLogField.contextRequestTime(),
            responseLength: AccessLogField.contextResponseLength(),
          }),
        ),
      },
    });

    // One invoke permission per function for this API (not one per route): a function's resource policy is
    // limited to 20 KB, and a bounded context can serve dozens of routes.
    const integrations = Object.fromEntries(
      FUNCTIONS.map((name) => [
        name,
        new HttpLambdaIntegration(`Integration-${name}`, functions[name].fn, { scopePermissionToRoute: false }),
      ]),
    ) as Record<FunctionName, HttpLambdaIntegration>;

    for (const route of allRoutes) {
      const httpRoute = new HttpRoute(this, `Route-${route.id}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrations[route.fn],
        authorizer: route.access === 'public' ? new HttpNoneAuthorizer() : authorizer,
      });
      if (route.access === 'public') {
        Validations.of(httpRoute.node.defaultChild as CfnRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: route.path.startsWith('/approval-links/')
            ? `${route.method} ${route.path} is a signed one-time approval link: its HMAC signature (bound to approver, tenant, contract revision, expiry) is the authorization, so it works from an email.`
            : `${route.method} ${route.path} is public by the route table (liveness check / API description); it exposes no tenant data.`,
        });
      }
    }

    if (config.alarms.enabled) {
      const alarm = (id: string, metric: Metric, description: string) =>
        new Alarm(this, id, {
          metric,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: description,
        });
      const period = Duration.minutes(5);
      // 5xx means a fault (bad input is 4xx), so a single one is worth a look.
      alarm('Api5xxAlarm', this.apiStage.metricServerError({ period }), `Salesflow ${config.stage}: API answered 5xx`);
      for (const name of FUNCTIONS) {
        const { fn } = functions[name];
        alarm(`Fn-${name}-ErrorsAlarm`, fn.metricErrors({ period }), `Salesflow ${config.stage}: ${name} function errors`);
        alarm(`Fn-${name}-ThrottlesAlarm`, fn.metricThrottles({ period }), `Salesflow ${config.stage}: ${name} function throttled`);
      }
      alarm(
        'ApprovalWorkflowFailedAlarm',
        this.approvalWorkflow.stateMachine.metricFailed({ period }),
        `Salesflow ${config.stage}: an approval execution failed (its contract was rejected as approval_failed)`,
      );
      alarm(
        'ApprovalTasksErrorsAlarm',
        this.approvalWorkflow.tasks.fn.metricErrors({ period }),
        `Salesflow ${config.stage}: approval workflow task errors`,
      );
      // Domain events that could not be published after every retry: the stream keeps their records 24 hours.
      alarm(
        'OutboxRelayDlqAlarm',
        this.outboxRelay.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period }),
        `Salesflow ${config.stage}: domain events could not be published to EventBridge (outbox relay dead-letter queue)`,
      );
    }

    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: userPoolClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: table.tableName });
  }
}
