import { Cron } from 'croner';
import type { Logger } from '../../shared/logging';
import type { RpcInvocationResponse, RpcTypedData } from './coreTypes';
import { booleanOption, stringOption, type HostFunction } from './functionIndex';
import { resolveAppSettings } from './hostConfig';
import type { Invoker } from './invoker';
import type { TimerLock, TimerLockTiming } from './timerLock';

/** The longest delay `setTimeout` honours (about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Validates an NCRONTAB schedule (`{second} {minute} {hour} {day} {month} {day-of-week}`, day-of-month
 * AND day-of-week as NCrontab does) and returns its evaluator. Five-field cron patterns, which
 * croner would read as minutes-first, and TimeSpan schedules are rejected.
 */
export function parseSchedule(schedule: string, timeZone = 'UTC'): Cron {
  const text = schedule.trim();
  if (/^(\d+\.)?\d{1,2}:\d{2}(:\d{2})?$/.test(text)) {
    throw new Error(`Timer schedule "${schedule}" is a TimeSpan; the local host supports NCRONTAB schedules only`);
  }
  const fields = text.split(/\s+/).filter((field) => field.length > 0);
  if (fields.length !== 6) {
    throw new Error(
      `Timer schedule "${schedule}" has ${fields.length} fields; NCRONTAB needs 6: ` +
        '{second} {minute} {hour} {day} {month} {day-of-week} (e.g. "0 */5 * * * *" for every 5 minutes)',
    );
  }
  try {
    return new Cron(fields.join(' '), { mode: '6-part', domAndDow: true, timezone: timeZone });
  } catch (error) {
    throw new Error(`Timer schedule "${schedule}" is invalid: ${(error as Error).message}`, { cause: error });
  }
}

/** The next `count` occurrences of `schedule` strictly after `from` (pure; for tests and tooling). */
export function nextOccurrences(schedule: string, from: Date, count: number, timeZone = 'UTC'): Date[] {
  return parseSchedule(schedule, timeZone).nextRuns(count, from);
}

interface ScheduleStatus {
  Last: string;
  Next: string;
  LastUpdated: string;
}

/** The timer trigger's data as the host sends it (PascalCase; the library camelCases it). */
export function timerTriggerData(status: ScheduleStatus | null, isPastDue = false): RpcTypedData {
  return { json: JSON.stringify({ Schedule: { AdjustForDST: true }, ScheduleStatus: status, IsPastDue: isPastDue }) };
}

export interface TimerSchedulerOptions {
  functions: readonly HostFunction[];
  invoker: Invoker;
  settings: Readonly<Record<string, string | undefined>>;
  timeZone: string;
  logger: Logger;
  sendOutputs(fn: HostFunction, response: RpcInvocationResponse): Promise<unknown>;
  /** The singleton lock shared by every instance (blob leases); absent: this host runs its timers alone. */
  lock?: { lock: TimerLock; timing: TimerLockTiming };
}

export interface TimerScheduler {
  start(): void;
  /** Stops firing; resolves once the listener locks this host held are released. */
  stop(): Promise<void>;
  /** Runs a timer function now (admin endpoint): no schedule status, not past due. */
  runNow(fn: HostFunction): Promise<void>;
}

interface TimerState {
  fn: HostFunction;
  cron: Cron;
  status: ScheduleStatus | null;
  timeout?: NodeJS.Timeout;
  /** This host holds the timer's listener lock (always true without a lock). */
  listening: boolean;
  lockTimer?: NodeJS.Timeout;
}

/**
 * Fires each timer function on its schedule; an invocation never overlaps the previous one. With a
 * lock, as on the real host, only the instance holding a timer's listener lock fires it: the lock is
 * renewed every half period while held; a host without it tries again every recovery interval.
 */
export function createTimerScheduler(options: TimerSchedulerOptions): TimerScheduler {
  const { invoker, logger } = options;
  let stopped = false;
  const timers: TimerState[] = options.functions.map((fn) => {
    const schedule = resolveAppSettings(stringOption(fn.trigger, 'schedule') ?? '', options.settings);
    try {
      return { fn, cron: parseSchedule(schedule, options.timeZone), status: null, listening: false };
    } catch (error) {
      throw new Error(`Function "${fn.name}": ${(error as Error).message}`, { cause: error });
    }
  });

  const run = async (fn: HostFunction, data: RpcTypedData): Promise<void> => {
    try {
      const response = await invoker.invoke(fn, { triggerData: data });
      await options.sendOutputs(fn, response);
    } catch {
      // Logged by the invoker; a timer function is not retried.
    }
  };

  const arm = (state: TimerState, after: Date): void => {
    if (stopped || !state.listening) return;
    const next = state.cron.nextRun(after);
    if (!next) return;
    const wait = (): void => {
      const remaining = next.getTime() - Date.now();
      if (remaining > 0) {
        state.timeout = setTimeout(wait, Math.min(remaining, MAX_TIMEOUT_MS));
        return;
      }
      void fire(state, next);
    };
    wait();
  };

  const fire = async (state: TimerState, scheduled: Date): Promise<void> => {
    if (stopped || !state.listening) return;
    await run(state.fn, timerTriggerData(state.status));
    const now = new Date();
    const following = state.cron.nextRun(now > scheduled ? now : scheduled);
    state.status = {
      Last: scheduled.toISOString(),
      Next: (following ?? scheduled).toISOString(),
      LastUpdated: now.toISOString(),
    };
    arm(state, now > scheduled ? now : scheduled);
  };

  const listen = (state: TimerState): void => {
    state.listening = true;
    const runOnStartup = booleanOption(state.fn.trigger, 'runOnStartup') ?? false;
    logger.debug('timer scheduled', { functionName: state.fn.name, next: state.cron.nextRun()?.toISOString(), runOnStartup });
    if (runOnStartup) {
      void run(state.fn, timerTriggerData(null)).then(() => arm(state, new Date()));
    } else {
      arm(state, new Date());
    }
  };

  const coordinated = options.lock;
  const contend = async (state: TimerState): Promise<void> => {
    if (stopped || coordinated === undefined) return;
    const { lock, timing } = coordinated;
    const name = state.fn.name;
    let held = false;
    try {
      held = state.listening ? await lock.renew(name) : await lock.acquire(name);
    } catch (error) {
      logger.warn('timer listener lock not reachable', { functionName: name, error });
    }
    if (stopped) return;
    if (held && !state.listening) {
      logger.info('timer listener lock taken: this instance runs the timer', { functionName: name });
      listen(state);
    } else if (!held && state.listening) {
      logger.warn('timer listener lock lost: another instance runs the timer', { functionName: name });
      state.listening = false;
      clearTimeout(state.timeout);
    }
    state.lockTimer = setTimeout(() => void contend(state), held ? timing.periodMs / 2 : timing.recoveryPollingMs);
  };

  return {
    start() {
      for (const state of timers) {
        if (coordinated === undefined) listen(state);
        else void contend(state);
      }
    },
    async stop() {
      stopped = true;
      for (const state of timers) {
        clearTimeout(state.timeout);
        clearTimeout(state.lockTimer);
      }
      const held = timers.filter((state) => state.listening);
      for (const state of held) state.listening = false;
      if (coordinated !== undefined) await Promise.allSettled(held.map((state) => coordinated.lock.release(state.fn.name)));
    },
    runNow: (fn) => run(fn, timerTriggerData(null)),
  };
}
