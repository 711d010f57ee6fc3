import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { consoleLogger, type Logger } from '../../shared/logging';
import { createAdminApi } from './adminApi';
import type { RpcInvocationResponse } from './coreTypes';
import { summarize, type FunctionSummary, type HostFunction } from './functionIndex';
import { readHostSettings, withQueueOverrides, type QueueSettings } from './hostConfig';
import { startHttpServer } from './httpServer';
import { createInvoker } from './invoker';
import { createKeyChecker, keysFromSettings, type KeyOptions } from './keys';
import { loadApp } from './loadApp';
import { createQueueListener, type QueueListener } from './queueListener';
import { adminQueueTriggerMetadata, sendQueueOutputs } from './queueMessages';
import { createQueueStorage } from './queueStorage';
import { blobTimerLock, DEFAULT_TIMER_LOCK_TIMING, type TimerLockTiming } from './timerLock';
import { createTimerScheduler } from './timerScheduler';

export interface HostOptions {
  /** The function app directory (package.json, host.json). Default: the current directory. */
  appDir?: string;
  /** Entry files or globs relative to appDir. Default: package.json `main`. */
  entry?: string | readonly string[];
  /** Default: `<appDir>/host.json` (defaults apply when it does not exist). */
  hostJsonPath?: string;
  /** Port on 127.0.0.1; 0 picks a free one. Default 7071. */
  port?: number;
  /** App settings (connection strings, keys, WEBSITE_TIME_ZONE). Default: process.env. */
  settings?: Readonly<Record<string, string | undefined>>;
  /** Function keys; default read from settings (FUNCTIONS_MASTER_KEY, …). None → authorization off. */
  keys?: KeyOptions;
  /** Overrides of host.json `extensions.queues` (e.g. a shorter visibility timeout in tests). */
  queues?: Partial<QueueSettings>;
  /** Overrides host.json `extensions.http.routePrefix`. */
  routePrefix?: string;
  /** Queue receive lease in ms (host: 10 minutes). */
  queueLeaseMs?: number;
  /** Timer time zone (IANA). Default: settings.WEBSITE_TIME_ZONE or UTC. */
  timeZone?: string;
  /** This instance's id (logs, and `WEBSITE_INSTANCE_ID` as the real host sets it). Default: settings.WEBSITE_INSTANCE_ID or a new id. */
  instanceId?: string;
  /** The app's host id, shared by every instance of it (names its timer locks). Default: settings.AzureFunctionsWebHost__hostid or `local`. */
  hostId?: string;
  /** Timer listener lock timing (blob leases in AzureWebJobsStorage); `false` runs timers without a lock. Default: the real host's 60 s / 60 s. */
  timerLock?: TimerLockTiming | false;
  /** How long stop() waits for in-flight invocations. Default 30 s. */
  drainTimeoutMs?: number;
  logger?: Logger;
}

export interface RunningHost {
  readonly url: string;
  readonly instanceId: string;
  readonly port: number;
  readonly functions: readonly FunctionSummary[];
  /** Stops HTTP, timers and queue polling, waits for in-flight work (bounded), runs appTerminate hooks. */
  stop(): Promise<void>;
}

/** Starts the local Functions host in this process. One host per process at a time. */
export async function startHost(options: HostOptions = {}): Promise<RunningHost> {
  const appDir = path.resolve(options.appDir ?? process.cwd());
  const settings = options.settings ?? process.env;
  const instanceId = options.instanceId ?? settings.WEBSITE_INSTANCE_ID ?? randomUUID();
  const logger = options.logger ?? consoleLogger();
  const hostSettings = readHostSettings(path.resolve(appDir, options.hostJsonPath ?? 'host.json'), {
    required: options.hostJsonPath !== undefined,
  });
  const queueSettings = withQueueOverrides(hostSettings.queues, options.queues);
  const entry = typeof options.entry === 'string' ? [options.entry] : options.entry;
  const app = await loadApp({ appDir, entry, logger });
  let state: 'Running' | 'Stopping' = 'Running';
  try {
    const invoker = createInvoker({ registry: app.registry, programmingModel: app.programmingModel, logger });
    const storage = createQueueStorage(settings);
    const listeners: QueueListener[] = [];
    const sendOutputs = (fn: HostFunction, response: RpcInvocationResponse): Promise<number> =>
      sendQueueOutputs(fn, response, {
        storage,
        encoding: queueSettings.messageEncoding,
        onSent: (connection, queueName) =>
          listeners.filter((l) => l.connection === connection && l.queueName === queueName).forEach((l) => l.wake()),
      });
    for (const fn of app.functions.filter((f) => f.kind === 'queue')) {
      const listener = createQueueListener({
        fn,
        invoker,
        storage,
        settings: queueSettings,
        leaseMs: options.queueLeaseMs ?? 600_000,
        logger,
        sendOutputs,
      });
      storage.assertConnection(listener.connection);
      listeners.push(listener);
    }
    const timerFunctions = app.functions.filter((f) => f.kind === 'timer');
    const lockTiming = options.timerLock === false ? undefined : (options.timerLock ?? DEFAULT_TIMER_LOCK_TIMING);
    const hostId = options.hostId ?? settings.AzureFunctionsWebHost__hostid ?? 'local';
    const lock = lockTiming === undefined || timerFunctions.length === 0 ? undefined : blobTimerLock(settings.AzureWebJobsStorage, hostId, lockTiming);
    if (timerFunctions.length > 0 && lock === undefined) {
      logger.info('timers run without a singleton lock (no blob endpoint in AzureWebJobsStorage): run one instance only', { instanceId });
    }
    const timers = createTimerScheduler({
      functions: timerFunctions,
      lock: lock === undefined || lockTiming === undefined ? undefined : { lock, timing: lockTiming },
      invoker,
      settings,
      timeZone: options.timeZone ?? settings.WEBSITE_TIME_ZONE ?? 'UTC',
      logger,
      sendOutputs,
    });
    for (const fn of app.functions.filter((f) => f.kind === 'other')) {
      logger.warn('function not served: trigger type not supported by the local host', { functionName: fn.name, trigger: fn.trigger.type });
    }
    const keys = createKeyChecker(options.keys ?? keysFromSettings(settings));
    const background = new Set<Promise<void>>();
    const inBackground = (work: Promise<void>): Promise<void> => {
      const tracked = work.finally(() => background.delete(tracked));
      background.add(tracked);
      return tracked;
    };
    const admin = createAdminApi({
      functions: app.functions,
      keys,
      logger,
      state: () => state,
      runTimerFunction: (fn) => inBackground(timers.runNow(fn)),
      runQueueFunction: (fn, input) =>
        inBackground(
          (async () => {
            const response = await invoker.invoke(fn, {
              triggerData: { string: input },
              triggerMetadata: adminQueueTriggerMetadata(input, randomUUID(), new Date()),
              details: { source: 'admin' },
            });
            await sendOutputs(fn, response);
          })(),
        ),
    });
    const server = await startHttpServer({
      functions: app.functions,
      invoker,
      keys,
      routePrefix: options.routePrefix ?? hostSettings.routePrefix,
      port: options.port ?? 7071,
      logger,
      admin,
      sendOutputs,
    });
    for (const listener of listeners) listener.start();
    timers.start();
    logger.info('host started', { url: server.url, functions: app.functions.length, keysEnforced: keys.enabled, instanceId });

    let stopping: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      state = 'Stopping';
      const closed = server.close();
      const timersStopped = timers.stop();
      for (const listener of listeners) listener.stop();
      const drained = Promise.allSettled([...listeners.map((l) => l.drained()), invoker.idle(), ...background, closed, timersStopped]);
      const finished = await withTimeout(drained, options.drainTimeoutMs ?? 30_000);
      if (!finished) logger.warn('stopped without waiting for every in-flight invocation', { inFlight: invoker.inFlight });
      await app.terminate();
      logger.info('host stopped');
    };
    const routePrefix = options.routePrefix ?? hostSettings.routePrefix;
    return {
      url: server.url,
      instanceId,
      port: server.port,
      functions: app.functions.map((fn) => {
        const summary = summarize(fn);
        if (summary.route === undefined) return summary;
        return { ...summary, invokeUrl: [server.url, routePrefix, summary.route].filter((part) => part !== '').join('/') };
      }),
      stop: () => (stopping ??= stop()),
    };
  } catch (error) {
    await app.terminate();
    throw error;
  }
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
