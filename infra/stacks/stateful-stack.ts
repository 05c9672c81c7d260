import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type CfnUserPool,
  CfnUserPoolGroup,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ROLES, type Role } from '../../domain/shared/actor';
import type { StageConfig } from '../config/stages';
import { SalesTable } from '../constructs/sales-table';

export interface StatefulStackProps extends StackProps {
  config: StageConfig;
}

const GROUP_DESCRIPTIONS: Record<Role, string> = {
  admin: 'Everything in its tenant: users, pipeline and approval policy, assignment rules, templates',
  manager: 'Sees and reassigns all records of the tenant, sets targets, approves contracts up to policy limits',
  rep: 'Works the customers, opportunities, tasks and quotes it owns',
  finance: 'Decides contract approvals routed to finance; reads contracts, quotes and revenue reports',
  service: 'After-sales: tickets, feedback, customer timeline',
};

/** What holds data or identities: replaced rarely, deployed separately from the code that uses it. */
export class StatefulStack extends Stack {
  readonly table: SalesTable;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly eventBus: EventBus;
  /** The HMAC key of signed approval links. */
  readonly approvalLinkSecret: Secret;
  /** The key list cursors are signed with (its own secret: every listing function reads it, none the link key). */
  readonly listCursorSecret: Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    const retain = config.removalPolicy === 'retain';
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = new SalesTable(this, 'SalesTable', {
      pointInTimeRecovery: config.table.pointInTimeRecovery,
      deletionProtection: config.table.deletionProtection,
      maxReadRequestUnits: config.table.maxReadRequestUnits,
      maxWriteRequestUnits: config.table.maxWriteRequestUnits,
      removalPolicy,
    });

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `salesflow-${config.stage}`,
      // Tenants' admins invite their users; nobody signs up into a tenant on their own.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      // Immutable: set when the user is created, never changed afterwards, so a user cannot move between tenants.
      customAttributes: { tenantId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: config.userPoolThreatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: config.userPoolThreatProtection ? StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: retain,
      removalPolicy,
    });

    this.userPoolClient = this.userPool.addClient('ApiClient', {
      userPoolClientName: `salesflow-${config.stage}-api`,
      generateSecret: false,
      // SRP for client apps; ADMIN_USER_PASSWORD_AUTH only with IAM credentials (ops, the README's example).
      authFlows: { userSrp: true, adminUserPassword: true },
      // No hosted UI yet: no OAuth flows, so no callback URLs to keep safe.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // The ID token carries only attributes the client may read: custom:tenantId must be among them.
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('tenantId'),
      // Users may never write their own tenant.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    for (const role of ROLES) {
      new CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: GROUP_DESCRIPTIONS[role],
      });
    }

    this.eventBus = new EventBus(this, 'EventBus', { eventBusName: `salesflow-${config.stage}` });

    this.approvalLinkSecret = new Secret(this, 'ApprovalLinkSecret', {
      description: `Salesflow ${config.stage}: HMAC key of signed one-time approval links`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.approvalLinkSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link key invalidates every approval link already mailed; links live no longer than an approval step (days). Rotation is an operator action between approval rounds, not a schedule.',
    });

    this.listCursorSecret = new Secret(this, 'ListCursorSecret', {
      description: `Salesflow ${config.stage}: key that signs list cursors (nextCursor)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.listCursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the cursor key only makes cursors already issued a 400 (clients start the list again), and functions keep the key they read until they are recycled. Rotation is an operator action (put a new value, then redeploy the stateless stack so every function reads it), not a schedule.',
    });

    const cfnUserPool = this.userPool.node.defaultChild as CfnUserPool;
    Validations.of(cfnUserPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is OPTIONAL (TOTP) by design: users opt in; requiring it is a tenant policy decision, and stages with threat protection add adaptive authentication for risky sign-ins.',
    });
    if (!config.userPoolThreatProtection) {
      Validations.of(cfnUserPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: `The ${config.stage} stage has only synthetic users; the Plus feature plan (threat protection, billed per MAU) is on in staging and prod.`,
      });
    }
  }
}
