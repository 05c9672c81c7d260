/**
 * `npm run job -- <name>`: runs a scheduled job once, now, inside the running `npm start` (same PORT), so it
 * uses that runtime's DynamoDB Local and prints what the job did.
 */
const name = process.argv[2];
const port = Number(process.env.PORT ?? 3000);

async function main(): Promise<void> {
  if (!name) {
    console.error('usage: npm run job -- <name>   (jobs: reminders, redrive-events)');
    process.exit(2);
  }
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${port}/_local/jobs/${encodeURIComponent(name)}`, { method: 'POST' });
  } catch {
    console.error(`salesflow: nothing answers on port ${port}. Start the system first (npm start), with the same PORT.`);
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
