import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURE_DIR = 'test/fixtures/hostApp';
export const FIXTURE_HOST_JSON = `${FIXTURE_DIR}/host.json`;

/** One JSON log line written by the host's console logger. */
export interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

export interface HostProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every output line so far (stdout and stderr). */
  readonly lines: readonly string[];
  /** The JSON log lines so far. */
  logs(): LogLine[];
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited. */
  exited(): Promise<number | null>;
}

export interface SpawnHostOptions {
  entries: string[];
  env?: Record<string, string>;
  args?: string[];
  startTimeoutMs?: number;
}

/** Starts the compiled host (`dist/dev/host/main.js`) on a free port and waits for its URL line. */
export function spawnHost(options: SpawnHostOptions): Promise<HostProcess> {
  const args = [
    path.join(REPO_ROOT, 'dist/dev/host/main.js'),
    ...options.entries.flatMap((entry) => ['--entry', entry]),
    '--port',
    '0',
    '--host-json',
    FIXTURE_HOST_JSON,
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const collect = (stream: NodeJS.ReadableStream | null): void => {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
    });
  };
  collect(child.stdout);
  collect(child.stderr);

  return new Promise((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 20_000;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`host did not start within ${timeoutMs} ms:\n${lines.join('\n')}`));
    }, timeoutMs);
    const check = setInterval(() => {
      const url = lines.map((line) => /^Host listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1]).find(Boolean);
      if (url) {
        clearInterval(check);
        clearTimeout(deadline);
        resolve(handle(url));
      }
    }, 25);
    void exit.then((code) => {
      clearInterval(check);
      clearTimeout(deadline);
      reject(new Error(`host exited with code ${String(code)} before listening:\n${lines.join('\n')}`));
    });
  });

  function handle(url: string): HostProcess {
    return {
      url,
      child,
      lines,
      logs: () => lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine),
      exited: () => exit,
      stop: (signal = 'SIGTERM') => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exit;
      },
    };
  }
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function pollFor<T>(probe: () => Promise<T | undefined> | T | undefined, description: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
