/**
 * `npm run job -- <name>`: runs a scheduled job once, now, inside the running `npm start` (same PORT), so it
 * uses that runtime's DynamoDB Local and prints what the job did. It sends the secret that start wrote for its
 * port (.local/job-secret-<port>, see ./job-secret.ts): the job endpoint runs nothing without it.
 */
import { jobSecretFile, readJobSecret } from './job-secret';

const name = process.argv[2];
/** What follows the job's name: `--recompute FY2027-Q1 --tenant acme` for kpi-rollup. */
const args = process.argv.slice(3);
const port = Number(process.env.PORT ?? 3000);
// Where npm start listens: 127.0.0.1 unless HOST names one address (a wildcard listens on loopback too).
const host = !process.env.HOST || ['0.0.0.0', '::'].includes(process.env.HOST) ? '127.0.0.1' : process.env.HOST;

async function main(): Promise<void> {
  if (!name) {
    console.error('usage: npm run job -- <name> [options]   (jobs: reminders, redrive-events, kpi-rollup [--recompute <period> --tenant <id>])');
    process.exit(2);
  }
  const secret = readJobSecret(port);
  if (!secret) {
    console.error(
      `salesflow: no ${jobSecretFile(port)}: nothing was started on port ${port} from this folder. ` +
        'Start the system first (npm start), with the same PORT, and run this where you ran it.',
    );
    process.exit(1);
  }
  let response: Response;
  try {
    response = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/_local/jobs/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ args }),
    });
  } catch {
    console.error(`salesflow: nothing answers on ${host} port ${port}. Start the system first (npm start), with the same PORT (and HOST).`);
    process.exit(1);
  }
  const text = await response.text();
  if (!response.ok) {
    console.error(`salesflow: job ${name}: ${response.status} ${text}`);
    process.exit(1);
  }
  console.log(text);
}

void main();
