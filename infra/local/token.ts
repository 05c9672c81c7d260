/**
 * `npm run token -- --tenant acme --role manager --sub alice` prints a bearer token for the local API, and
 * nothing else, so it composes: TOKEN=$(npm run -s token -- --role rep --sub bob).
 */
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../../domain/shared/actor';
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
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
  console.error('--ttl must be a positive number of seconds');
  process.exit(1);
}

const keys = await loadOrCreateDevKeys();
process.stdout.write(
  `${await signDevToken(keys, { tenant: values.tenant, roles, sub: values.sub ?? `${roles[0]}-user`, ttlSeconds })}\n`,
);
