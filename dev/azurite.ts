import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PARENT_WATCH_ARGS } from './parentWatch';

/** The well-known Azurite development account (public, documented; not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Queue port; 0 (default) lets the OS choose a free loopback port. */
  queuePort?: number;
  /** Table port; 0 (default) lets the OS choose a free loopback port. */
  tablePort?: number;
  /** Cap on in-memory storage in MB (default 256). */
  memoryLimitMb?: number;
  /** How long to wait for both services to listen (default 20 s). */
  startTimeoutMs?: number;
}

export interface RunningAzurite {
  /** Blob port: the local host keeps its timers' singleton locks there, as the real host does. */
  readonly blobPort: number;
  readonly queuePort: number;
  readonly tablePort: number;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  /** Explicit connection string for the development account on the chosen ports. */
  readonly connectionString: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export function devConnectionString(queuePort: number, tablePort: number, host = '127.0.0.1', blobPort?: number): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    ...(blobPort === undefined ? [] : [`BlobEndpoint=http://${host}:${blobPort}/${DEV_ACCOUNT}`]),
    `QueueEndpoint=http://${host}:${queuePort}/${DEV_ACCOUNT}`,
    `TableEndpoint=http://${host}:${tablePort}/${DEV_ACCOUNT}`,
    '',
  ].join(';');
}

function azuriteBinary(): string {
  // Resolve from this package's node_modules whether running from source (dev/) or dist/dev/.
  let dir = __dirname;
  for (let i = 0; i < 5; i += 1) {
    const candidate = path.join(dir, 'node_modules', 'azurite', 'dist', 'src', 'azurite.js');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('azurite is not installed: run `npm install` (it is a devDependency)');
}

/**
 * Starts Azurite as a child process on loopback, in memory, without telemetry, and resolves once its
 * services accept connections. The app uses tables and queues; the local Functions host keeps its
 * timers' singleton locks (blob leases) in the blob service, as the real host does.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const args = [
    // Azurite stops when the process that started it is gone, even after a SIGKILL.
    ...PARENT_WATCH_ARGS,
    azuriteBinary(),
    '--inMemoryPersistence',
    '--disableTelemetry',
    // No access log: nobody reads it (the output is drained), and writing it costs Azurite CPU per request.
    '--silent',
    '--skipApiVersionCheck',
    '--loose',
    '--blobHost', '127.0.0.1',
    '--queueHost', '127.0.0.1',
    '--tableHost', '127.0.0.1',
    '--blobPort', '0',
    '--queuePort', String(options.queuePort ?? 0),
    '--tablePort', String(options.tablePort ?? 0),
    '--extentMemoryLimit', String(options.memoryLimitMb ?? 256),
  ];
  // Its own process group: a Ctrl-C in the terminal reaches the process that started it, which stops it in order.
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const ports = await waitForPorts(child, options.startTimeoutMs ?? 20_000);
  const stop = (): Promise<void> => stopChild(child);
  return {
    blobPort: ports.blob,
    queuePort: ports.queue,
    tablePort: ports.table,
    queueEndpoint: `http://127.0.0.1:${ports.queue}/${DEV_ACCOUNT}`,
    tableEndpoint: `http://127.0.0.1:${ports.table}/${DEV_ACCOUNT}`,
    connectionString: devConnectionString(ports.queue, ports.table, '127.0.0.1', ports.blob),
    pid: child.pid,
    stop,
  };
}

function waitForPorts(child: ChildProcess, timeoutMs: number): Promise<{ blob: number; queue: number; table: number }> {
  return new Promise((resolve, reject) => {
    const found: { blob?: number; queue?: number; table?: number } = {};
    let output = '';
    const timer = setTimeout(() => {
      void stopChild(child);
      reject(new Error(`Azurite did not start within ${timeoutMs} ms. Output:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const match of output.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g)) {
        const service = match[1] === 'Blob' ? 'blob' : match[1] === 'Queue' ? 'queue' : 'table';
        found[service] = Number(match[2]);
      }
      if (found.blob !== undefined && found.queue !== undefined && found.table !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ blob: found.blob, queue: found.queue, table: found.table });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited early (code ${String(code)}, signal ${String(signal)}). Output:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
