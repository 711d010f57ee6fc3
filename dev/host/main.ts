import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { consoleLogger, type LogLevel } from '../../shared/logging';
import type { FunctionSummary } from './functionIndex';
import { startHost, type HostOptions, type RunningHost } from './host';
import { createLineBuffer } from './lineBuffer';
import { parseTimeSpan } from './hostConfig';
import { DEFAULT_TIMER_LOCK_TIMING } from './timerLock';

const USAGE = `Local Azure Functions host (HTTP, storage queue and timer triggers)

Usage: node dist/dev/host/main.js [options] [entry…]

  --entry <file|glob>             entry file(s), repeatable (default: package.json "main")
  --port <n>                      port on 127.0.0.1, 0 = any free port (default: FUNCTIONS_HOST_PORT or 7071)
  --instance-id <id>              this instance's id in logs and WEBSITE_INSTANCE_ID (default: WEBSITE_INSTANCE_ID or a new id)
  --host-id <id>                  the app's host id, shared by its instances; names the timer locks (default: local)
  --timer-lock-period <TimeSpan>  timer listener lock lease, 15-60 s (default 00:01:00, as the real host)
  --timer-lock-polling <TimeSpan> how often an instance without a timer's lock tries to take it (default 00:01:00)
  --app-dir <dir>                 function app directory (default: current directory)
  --host-json <file>              host.json to read (default: <app-dir>/host.json)
  --visibility-timeout <TimeSpan> override extensions.queues.visibilityTimeout (e.g. 00:00:00)
  --max-polling-interval <TimeSpan> override extensions.queues.maxPollingInterval (e.g. 00:00:00.500)
  --max-dequeue-count <n>         override extensions.queues.maxDequeueCount
  --log-level <debug|info|warn|error>  (default: FUNCTIONS_HOST_LOG_LEVEL or info)
  --help

Environment: app settings such as AzureWebJobsStorage (named by each binding's "connection"),
WEBSITE_TIME_ZONE, and keys: FUNCTIONS_MASTER_KEY, FUNCTIONS_HOST_KEY, FUNCTIONS_FUNCTION_KEY
(every function), FUNCTIONS_FUNCTION_KEYS ('{"name":"key"}'). Without keys, authorization is off.
`;

export interface CliOptions extends HostOptions {
  help: boolean;
  logLevel: LogLevel;
}

/** Turns argv and the environment into host options; throws a usage error for bad input. */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      entry: { type: 'string', multiple: true },
      port: { type: 'string' },
      'instance-id': { type: 'string' },
      'host-id': { type: 'string' },
      'timer-lock-period': { type: 'string' },
      'timer-lock-polling': { type: 'string' },
      'app-dir': { type: 'string' },
      'host-json': { type: 'string' },
      'visibility-timeout': { type: 'string' },
      'max-polling-interval': { type: 'string' },
      'max-dequeue-count': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const entry = [...(values.entry ?? []), ...positionals];
  const instanceId = values['instance-id'] ?? env.WEBSITE_INSTANCE_ID ?? randomUUID();
  const logLevel = values['log-level'] ?? env.FUNCTIONS_HOST_LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new Error(`--log-level must be debug, info, warn or error`);
  return {
    help: values.help ?? false,
    logLevel: logLevel as LogLevel,
    entry: entry.length > 0 ? entry : undefined,
    port: integer('--port', values.port ?? env.FUNCTIONS_HOST_PORT ?? '7071', 0, 65535),
    instanceId,
    hostId: values['host-id'],
    timerLock: {
      periodMs: optional(values['timer-lock-period'], parseTimeSpan) ?? DEFAULT_TIMER_LOCK_TIMING.periodMs,
      recoveryPollingMs: optional(values['timer-lock-polling'], parseTimeSpan) ?? DEFAULT_TIMER_LOCK_TIMING.recoveryPollingMs,
    },
    appDir: values['app-dir'],
    hostJsonPath: values['host-json'],
    settings: { ...env, WEBSITE_INSTANCE_ID: instanceId },
    queues: {
      visibilityTimeoutMs: optional(values['visibility-timeout'], parseTimeSpan),
      maxPollingIntervalMs: optional(values['max-polling-interval'], parseTimeSpan),
      maxDequeueCount: optional(values['max-dequeue-count'], (v) => integer('--max-dequeue-count', v, 1, 1000)),
    },
  };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}`);
  return value;
}

function optional<T>(text: string | undefined, parse: (text: string) => T): T | undefined {
  return text === undefined ? undefined : parse(text);
}

function describe(fn: FunctionSummary): string {
  if (fn.invokeUrl !== undefined) return `[${(fn.methods ?? ['*']).join(',')}] ${fn.invokeUrl}`;
  if (fn.queueName !== undefined) return `${fn.trigger} (${fn.queueName})`;
  if (fn.schedule !== undefined) return `${fn.trigger} (${fn.schedule})`;
  return fn.trigger;
}

/** Runs the host until SIGINT/SIGTERM/SIGHUP, then stops it cleanly and exits 0 (1 on failure). */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCli(argv, env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const lineBuffer = createLineBuffer();
  const logger = consoleLogger({ level: options.logLevel, fields: { source: 'host', instanceId: options.instanceId }, write: lineBuffer.write });
  let host: RunningHost;
  try {
    host = await startHost({ ...options, logger });
  } catch (error) {
    logger.error('host failed to start', { error });
    process.exit(1);
  }
  const lines = host.functions.map((fn) => `  ${fn.name}: ${describe(fn)}`);
  lineBuffer.flush();
  process.stdout.write(`Host listening on ${host.url}\nFunctions:\n${lines.join('\n')}\n`);

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    signalled = true;
    logger.info('stopping host', { signal });
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('host failed to stop cleanly', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env);
}
