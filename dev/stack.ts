import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startAzurite, type RunningAzurite } from './azurite';
import { createEmulator, DEFAULT_CLIENT_SECRET, type RunningEmulator } from './emulator';
import { PARENT_WATCH_ARGS } from './parentWatch';

/**
 * The whole system on one machine: Azurite (tables and queues), the Marketplace emulator and the
 * local Functions host serving the compiled app, wired to each other. Used by `npm start` and by
 * the end-to-end tests. Everything listens on 127.0.0.1.
 */
export interface StackOptions {
  /** Root of the function app (where package.json, host.json and dist/ are). */
  appDir: string;
  /** 0 = a free port. Defaults: host 7071, emulator 7072, authority 7073, Azurite free ports. */
  hostPort?: number;
  emulatorPort?: number;
  authorityPort?: number;
  /** Emulator acknowledgement window for plan/seat changes (default 10 s, as Microsoft). */
  ackWindowMs?: number;
  /** App settings that win over the generated wiring (e.g. from local.settings.json). */
  settingsOverrides?: Record<string, string>;
  /** Extra arguments for the host CLI (e.g. queue timing overrides in tests). */
  hostArgs?: string[];
  /** Where host output goes; default: collected (see RunningStack.hostOutput). */
  onHostOutput?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface RunningStack {
  readonly azurite: RunningAzurite;
  readonly emulator: RunningEmulator;
  readonly hostUrl: string;
  readonly hostPid: number | undefined;
  /** The app settings the host was started with (contains the local development secret). */
  readonly settings: Readonly<Record<string, string>>;
  /** The last host output lines (for diagnosing a failed test). */
  hostOutput(): string;
  stop(): Promise<void>;
}

/** Reads `Values` from local.settings.json when the file exists; non-empty values only. */
export function readLocalSettings(appDir: string): Record<string, string> {
  const file = path.join(appDir, 'local.settings.json');
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.Values ?? {})) {
    if (typeof value === 'string' && value.trim() !== '') out[key] = value;
  }
  return out;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const started: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    started.length = 0;
  };
  try {
    const azurite = await startAzurite();
    started.push(() => azurite.stop());

    const emulator = await createEmulator({
      port: options.emulatorPort ?? 7072,
      authorityPort: options.authorityPort ?? 7073,
      ackWindowMs: options.ackWindowMs,
    });
    started.push(() => emulator.stop());

    const settings: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: azurite.connectionString,
      MARKETPLACE_TENANT_ID: emulator.publisherTenantId,
      MARKETPLACE_CLIENT_ID: emulator.publisherAppId,
      MARKETPLACE_AUTH_MODE: 'clientSecret',
      MARKETPLACE_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
      MARKETPLACE_AUTHORITY_HOST: emulator.authorityUrl,
      MARKETPLACE_API_BASE_URL: emulator.apiBaseUrl,
      WEBHOOK_JWKS_URL: emulator.jwksUrl,
      LANDING_PRODUCT_NAME: 'Contoso (local stack)',
      // The operator console with its development sign-in (loopback only; refused on Azure).
      CONSOLE_AUTH: 'development',
      CONSOLE_FORM_SECRET: randomBytes(32).toString('base64url'),
      ...options.settingsOverrides,
    };
    const host = await spawnHost(options, settings, emulator.caCertPath);
    started.push(() => host.stop());

    await configureEmulator(emulator.url, {
      webhookUrl: `${host.url}/api/webhook`,
      landingPageUrl: `${host.url}/api/landing`,
    });

    return {
      azurite,
      emulator,
      hostUrl: host.url,
      hostPid: host.pid,
      settings,
      hostOutput: () => host.output(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function configureEmulator(emulatorUrl: string, config: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${emulatorUrl}/control/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!response.ok) throw new Error(`emulator refused its configuration: ${response.status} ${await response.text()}`);
}

interface SpawnedHost {
  url: string;
  pid: number | undefined;
  output(): string;
  stop(): Promise<void>;
}

function spawnHost(options: StackOptions, settings: Record<string, string>, caCertPath: string): Promise<SpawnedHost> {
  const main = path.join(options.appDir, 'dist', 'dev', 'host', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  // The host stops when the process that started it is gone, even after a SIGKILL.
  const child = spawn(process.execPath, [...PARENT_WATCH_ARGS, main, '--port', String(options.hostPort ?? 7071), ...(options.hostArgs ?? [])], {
    cwd: options.appDir,
    env: { ...process.env, ...settings, NODE_EXTRA_CA_CERTS: caCertPath },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches `npm start`, which stops it in order.
    detached: true,
  });
  const lines: string[] = [];
  // A chunk may end inside a line (the host writes its lines in batches): keep the tail for the next one.
  const partial = { stdout: '', stderr: '' };
  const recorder = (stream: 'stdout' | 'stderr') => (chunk: Buffer): void => {
    const parts = (partial[stream] + chunk.toString()).split('\n');
    partial[stream] = parts.pop() ?? '';
    for (const line of parts) {
      if (line === '') continue;
      lines.push(line);
      if (lines.length > 500) lines.shift();
      options.onHostOutput?.(line);
    }
  };
  child.stdout.on('data', recorder('stdout'));
  child.stderr.on('data', recorder('stderr'));
  const output = (): string => lines.join('\n');
  const stop = (): Promise<void> => stopChild(child);

  return new Promise((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the Functions host did not start within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    const onData = (): void => {
      const match = /Host listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output());
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      resolve({ url: match[1], pid: child.pid, output, stop });
    };
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`the Functions host exited with code ${String(code)}:\n${output()}`));
    };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
