import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from '../support/eventually';

const root = path.resolve(__dirname, '..', '..');

/**
 * A copy of the app in a temporary directory (its own dist/ and local.settings.json, the same
 * node_modules), so that `npm start` can run, be stopped and be started again without touching the
 * worktree or the stack other tests use.
 */
export function appCopy(options: { withSources?: boolean } = {}): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'saas-start-'));
  const parts = ['dist', 'package.json', 'host.json', 'local.settings.sample.json', ...(options.withSources ? ['tsconfig.json', 'tsconfig.build.json', 'functions', 'shared', 'dev'] : [])];
  for (const part of parts) cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeLocalSettings(dir: string, values: Record<string, string> | 'sample'): void {
  const file = path.join(dir, 'local.settings.json');
  if (values === 'sample') cpSync(path.join(dir, 'local.settings.sample.json'), file);
  else writeFileSync(file, JSON.stringify({ IsEncrypted: false, Values: values }));
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (free) await new Promise((resolve) => server.close(resolve));
  return free;
}

/** Every live process whose parent chain leads to `pid` (Linux: /proc). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parents.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') !== true;
  } catch {
    return false;
  }
}

export interface StartedStack {
  child: ChildProcess;
  output(): string;
  ports: number[];
  hostUrl: string;
  /** Azurite, the host and anything else started under the process. */
  children: number[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `command` (`node dist/dev/start.js` or `npm start`) in `dir` on fresh ports, in its own
 * process group (as a terminal runs a foreground job), and waits for the banner.
 */
export async function startLocal(dir: string, command: string[], ports?: { host: number; emulator: number; authority: number }, timeoutMs = 120_000): Promise<StartedStack> {
  const chosen = ports ?? { host: await freePort(), emulator: await freePort(), authority: await freePort() };
  const [file, ...args] = command;
  // The stack's temporary files (the emulator's TLS material, …) go inside `dir`, so that they go
  // with it even when a test kills the stack outright and nothing gets to remove them.
  const temporary = path.join(dir, 'tmp');
  mkdirSync(temporary, { recursive: true });
  const child = spawn(file ?? 'node', args, {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: temporary, FUNCTIONS_HOST_PORT: String(chosen.host), EMULATOR_PORT: String(chosen.emulator), EMULATOR_AUTHORITY_PORT: String(chosen.authority) },
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await Promise.race([
    eventually('the local stack to start', () => (/Press Ctrl-C to stop/.test(text) ? true : undefined), timeoutMs, 250),
    exited.then(({ code, signal }) => Promise.reject(new Error(`the local stack exited during start-up (code ${String(code)}, signal ${String(signal)}):\n${text}`))),
  ]);
  const azurite = /Azurite\s+queues http:\/\/127\.0\.0\.1:(\d+)\S*\s+tables http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
  const pid = child.pid ?? 0;
  return {
    child,
    output: () => text,
    ports: [chosen.host, chosen.emulator, chosen.authority, Number(azurite?.[1]), Number(azurite?.[2])],
    hostUrl: `http://127.0.0.1:${chosen.host}`,
    children: descendants(pid),
    exited,
  };
}

/** Waits until every process is gone and every port is free again. */
export async function expectAllStopped(stack: StartedStack, pids: readonly number[], timeoutMs = 20_000): Promise<void> {
  await eventually(
    'every process of the stack to stop and its ports to be free',
    async () => {
      const alive = pids.filter(isAlive);
      const busy: number[] = [];
      for (const port of stack.ports) if (!(await isFree(port))) busy.push(port);
      return alive.length === 0 && busy.length === 0 ? true : Promise.reject(new Error(`alive: ${alive.join(',') || '-'}; busy ports: ${busy.join(',') || '-'}`));
    },
    timeoutMs,
    250,
  );
}

/** Kills whatever is left of a stack (after a failed test); processes already gone are skipped. */
export function killLeftovers(stack: StartedStack | undefined): void {
  const pid = stack?.child.pid;
  if (pid === undefined) return;
  for (const each of [pid, ...descendants(pid), ...(stack?.children ?? [])]) {
    if (isAlive(each)) process.kill(each, 'SIGKILL');
  }
}
