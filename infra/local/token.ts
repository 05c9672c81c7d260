/**
 * `npm run token -- --tenant acme --role manager --sub alice` prints a bearer token for the local API, and
 * nothing else, so it composes: TOKEN=$(npm run -s token -- --role rep --sub bob).
 */
import { parseArgs } from 'node:util';
import { ROLES, TENANT_ID_RULE, USER_ID_RULE, isTenantId, isUserId, type Role } from '../../domain/shared/actor';
import { loadOrCreateDevKeys, signDevToken } from './dev-auth';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'acme' },
    role: { type: 'string', multiple: true },
    sub: { type: 'string' },
    ttl: { type: 'string', default: '43200' },
  },
});

const roles = (values.role ?? ['rep']) as Role[];
const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
if (unknown.length > 0) {
  console.error(`Unknown role ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  process.exit(1);
}
// The API refuses a token whose tenant or user id is not of its pattern (403), so none is made here.
if (!isTenantId(values.tenant)) {
  console.error(`--tenant ${JSON.stringify(values.tenant)} is not a tenant id: a tenant id is ${TENANT_ID_RULE}`);
  process.exit(1);
}
const sub = values.sub ?? `${roles[0]}-user`;
if (!isUserId(sub)) {
  console.error(`--sub ${JSON.stringify(sub)} is not a user id: a user id is ${USER_ID_RULE}`);
  process.exit(1);
}
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
  console.error('--ttl must be a positive number of seconds');
  process.exit(1);
}

const keys = await loadOrCreateDevKeys();
process.stdout.write(
  `${await signDevToken(keys, { tenant: values.tenant, roles, sub, ttlSeconds })}\n`,
);
