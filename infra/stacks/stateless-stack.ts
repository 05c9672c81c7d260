import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Stage, Validations } from 'aws-cdk-lib';
import {
  type CfnRoute,
  type CfnStage,
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
import { Alarm, ComparisonOperator, type IMetric, MathExpression, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { PageQuery } from '../../domain/shared/schemas';
import { GLOBAL_INDEXES } from '../../domain/table';
import { OPENAPI_FILE } from '../../functions/http/system/routes';
import { FUNCTIONS, type FunctionName, type RouteDefinition, routes } from '../../functions/http/routes';
import { httpFunctionLimits, type StageConfig } from '../config/stages';
import { ApiFunction, REPO_ROOT } from '../constructs/api-function';
import { ApprovalWorkflow } from '../constructs/approval-workflow';
import { ScheduledJob } from '../constructs/scheduled-job';
import { OperationsDashboard } from '../constructs/operations-dashboard';
import { OutboxRelay } from '../constructs/outbox-relay';
import { writeOpenApiDocument } from '../openapi/write';

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  table: ITableV2;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
  eventBus: IEventBus;
  approvalLinkSecret: ISecret;
  listCursorSecret: ISecret;
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
  // Rep profiles, teams (with their membership guards), assignment rules and assignments of customers and opportunities.
  assignment: { table: 'read-write', publishesEvents: false },
  // Targets and forecast calls per period (and, to come, the reports that read the KPI items).
  analytics: { table: 'read-write', publishesEvents: false },
  // The SLA policy, tickets and comments (with their SLA timers, timeline entries and assignments).
  care: { table: 'read-write', publishesEvents: false },
};

/**
 * The functions that serve a list behind our signed cursors: those with a route whose query takes the list
 * cursor (PageQuery's `cursor`; the notifications inbox has a cursor of its own). Read from the route table, so a
 * new list gets the cursor key with it.
 */
export const LISTING_FUNCTIONS: readonly FunctionName[] = FUNCTIONS.filter((name) =>
  routes.some((route) => route.fn === name && queryShape(route)?.cursor === PageQuery.cursor),
);

function queryShape(route: RouteDefinition): Record<string, unknown> | undefined {
  const query = route.request?.query as { shape?: Record<string, unknown> } | undefined;
  return query?.shape;
}

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
  /** The KPI rollup (and, on an operator's invoke, a period's recompute), on an EventBridge Scheduler schedule. */
  readonly kpiRollupJob: ScheduledJob;
  /** The stage's CloudWatch dashboard (what the README's runbook reads). */
  readonly dashboard: OperationsDashboard;
  /** Every alarm of the stage, by construct id (none where the stage has alarms off). */
  readonly alarms: Record<string, Alarm>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, userPool, userPoolClient, eventBus, approvalLinkSecret, listCursorSecret } = props;
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
      const limits = httpFunctionLimits(config, name);
      const fn = new ApiFunction(this, `Fn-${name}`, {
        entry: join(REPO_ROOT, 'functions', 'http', name, 'handler.ts'),
        description: `Salesflow ${config.stage}: ${name} HTTP routes`,
        stage: config.stage,
        tableName: table.tableName,
        logLevel: config.logLevel,
        logRetention: config.logRetention,
        removalPolicy,
        memorySize: limits.memoryMb,
        timeout: Duration.seconds(limits.timeoutSeconds),
        reservedConcurrency: limits.reservedConcurrency,
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
      memorySize: config.lambda.approvalTasks.memoryMb,
      timeout: Duration.seconds(config.lambda.approvalTasks.timeoutSeconds),
      reservedConcurrency: config.lambda.approvalTasks.reservedConcurrency,
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
    // The functions that serve lists read the cursor key (on the first cursor a container makes or reads).
    for (const name of LISTING_FUNCTIONS) {
      functions[name].fn.addEnvironment('CURSOR_SECRET_ARN', listCursorSecret.secretArn);
      listCursorSecret.grantRead(functions[name].role);
    }

    this.remindersJob = new ScheduledJob(this, 'Reminders', {
      stage: config.stage,
      entry: join(REPO_ROOT, 'functions', 'schedules', 'reminders.ts'),
      description: `Salesflow ${config.stage}: task reminders, escalations, stale-deal follow-ups, approval reminders`,
      expression: config.schedules.remindersRate,
      tableName: table.tableName,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      removalPolicy,
      memorySize: config.lambda.reminders.memoryMb,
      // A run works through everything due; a backlog after an outage takes longer than a request.
      timeout: Duration.seconds(config.lambda.reminders.timeoutSeconds),
      reservedConcurrency: config.lambda.reminders.reservedConcurrency,
      alarms: config.alarms.enabled,
    });
    this.remindersJob.function.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], resources: tableResources }),
    );

    this.kpiRollupJob = new ScheduledJob(this, 'KpiRollup', {
      stage: config.stage,
      entry: join(REPO_ROOT, 'functions', 'schedules', 'kpi-rollup.ts'),
      description: `Salesflow ${config.stage}: KPI rollup of the change feed per tenant (an operator's invoke recomputes a period)`,
      expression: config.schedules.kpiRollupRate,
      tableName: table.tableName,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      removalPolicy,
      memorySize: config.lambda.kpiRollup.memoryMb,
      // Lambda's maximum: a scheduled run reads only the feed since each tenant's watermark, but a recompute of a
      // quarter of a large tenant reads all of its records (domain/analytics/recompute.ts).
      timeout: Duration.seconds(config.lambda.kpiRollup.timeoutSeconds),
      reservedConcurrency: config.lambda.kpiRollup.reservedConcurrency,
      alarms: config.alarms.enabled,
    });
    // Reads the registry, the feed, the records and their history; writes aggregates, contributions, the
    // watermark and the daily snapshots (queries and transactions, never a scan).
    this.kpiRollupJob.function.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], resources: tableResources }),
    );

    this.outboxRelay = new OutboxRelay(this, 'OutboxRelay', {
      stage: config.stage,
      table,
      eventBus,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      removalPolicy,
      memorySize: config.lambda.outboxRelay.memoryMb,
      timeout: Duration.seconds(config.lambda.outboxRelay.timeoutSeconds),
      reservedConcurrency: config.lambda.outboxRelay.reservedConcurrency,
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

    const publicRoutes: { key: string; route: HttpRoute }[] = [];
    for (const route of allRoutes) {
      const httpRoute = new HttpRoute(this, `Route-${route.id}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrations[route.fn],
        authorizer: route.access === 'public' ? new HttpNoneAuthorizer() : authorizer,
      });
      if (route.access === 'public') {
        publicRoutes.push({ key: `${route.method} ${route.path}`, route: httpRoute });
        Validations.of(httpRoute.node.defaultChild as CfnRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: route.path.startsWith('/approval-links/')
            ? `${route.method} ${route.path} is a signed one-time approval link: its HMAC signature (bound to approver, tenant, contract revision, expiry) is the authorization, so it works from an email.`
            : `${route.method} ${route.path} is public by the route table (liveness check / API description); it exposes no tenant data.`,
        });
      }
    }

    // Per-route throttles: every route has the stage default (DefaultRouteSettings); the routes anyone may call
    // without a token (approval links, health, the API description) get the much tighter public limit, so a
    // flood of them can neither run up the approvals function nor crowd out the signed-in users. A route setting
    // names an existing route: the stage is updated after the routes.
    const cfnStage = this.apiStage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      publicRoutes.map(({ key }) => [
        key,
        {
          ThrottlingRateLimit: config.api.publicRouteThrottle.rateLimit,
          ThrottlingBurstLimit: config.api.publicRouteThrottle.burstLimit,
        },
      ]),
    );
    for (const { route } of publicRoutes) this.apiStage.node.addDependency(route);

    const allFunctions = [
      ...FUNCTIONS.map((name) => ({ label: name, fn: functions[name].fn })),
      { label: 'approval-tasks', fn: this.approvalWorkflow.tasks.fn },
      { label: 'reminders', fn: this.remindersJob.function.fn },
      { label: 'kpi-rollup', fn: this.kpiRollupJob.function.fn },
      { label: 'outbox-relay', fn: this.outboxRelay.function.fn },
    ];

    const alarms: Record<string, Alarm> = {};
    if (config.alarms.enabled) {
      const alarm = (id: string, metric: IMetric, description: string, options: { threshold?: number; evaluationPeriods?: number } = {}) => {
        alarms[id] = new Alarm(this, id, {
          metric,
          threshold: options.threshold ?? 1,
          evaluationPeriods: options.evaluationPeriods ?? 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `${description} (README: Runbook → ${id})`,
        });
      };
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
      // The relay is behind the stream: failing (retried) or throttled. Events arrive late; after 24 hours the
      // stream drops them (the feed keeps them 30 days).
      alarm(
        'OutboxRelayIteratorAgeAlarm',
        this.outboxRelay.function.fn.metric('IteratorAge', { period, statistic: Stats.MAXIMUM }),
        `Salesflow ${config.stage}: the outbox relay has been over 10 minutes behind the table stream for 10 minutes`,
        { threshold: 10 * 60 * 1000, evaluationPeriods: 2 },
      );
      // The scheduler invokes the job asynchronously: a run that fails is retried by Lambda, never seen by the
      // schedule's dead-letter queue (which takes only deliveries that could not be made).
      alarm(
        'RemindersErrorsAlarm',
        this.remindersJob.function.fn.metricErrors({ period }),
        `Salesflow ${config.stage}: a reminder job run failed`,
      );
      // Likewise for the KPI rollup; a recompute an operator invokes fails here too (and to the operator).
      alarm(
        'KpiRollupErrorsAlarm',
        this.kpiRollupJob.function.fn.metricErrors({ period }),
        `Salesflow ${config.stage}: a KPI rollup run (or recompute) failed`,
      );
      // The table's maximum throughput (or a hot key) reached: requests are being throttled.
      alarm(
        'TableThrottlesAlarm',
        new MathExpression({
          expression: 'FILL(reads, 0) + FILL(writes, 0)',
          usingMetrics: {
            reads: table.metric('ReadThrottleEvents', { period, statistic: Stats.SUM }),
            writes: table.metric('WriteThrottleEvents', { period, statistic: Stats.SUM }),
          },
          label: 'Throttle events',
          period,
        }),
        `Salesflow ${config.stage}: DynamoDB throttled requests to the table (its maximum throughput, or a hot partition)`,
      );
      // The job's own (infra/constructs/scheduled-job.ts), under the name its description gives.
      if (this.remindersJob.deadLetterAlarm) alarms.RemindersDeadLetterAlarm = this.remindersJob.deadLetterAlarm;
      if (this.kpiRollupJob.deadLetterAlarm) alarms.KpiRollupDeadLetterAlarm = this.kpiRollupJob.deadLetterAlarm;
    }
    this.alarms = alarms;

    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      stage: config.stage,
      apiStage: this.apiStage,
      functions: allFunctions,
      outboxRelay: this.outboxRelay.function.fn,
      deadLetterQueues: [
        { label: 'Outbox relay', queue: this.outboxRelay.deadLetterQueue },
        { label: 'Reminders schedule', queue: this.remindersJob.deadLetterQueue },
        { label: 'KPI rollup schedule', queue: this.kpiRollupJob.deadLetterQueue },
      ],
      approvals: this.approvalWorkflow.stateMachine,
      table,
      tableMaxima: { read: config.table.maxReadRequestUnits, write: config.table.maxWriteRequestUnits },
      alarms: Object.values(alarms),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: userPoolClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: table.tableName });
  }
}
