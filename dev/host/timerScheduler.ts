import { Cron } from 'croner';
import type { Logger } from '../../shared/logging';
import type { RpcInvocationResponse, RpcTypedData } from './coreTypes';
import { booleanOption, stringOption, type HostFunction } from './functionIndex';
import { resolveAppSettings } from './hostConfig';
import type { Invoker } from './invoker';

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
}

export interface TimerScheduler {
  start(): void;
  stop(): void;
  /** Runs a timer function now (admin endpoint): no schedule status, not past due. */
  runNow(fn: HostFunction): Promise<void>;
}

interface TimerState {
  fn: HostFunction;
  cron: Cron;
  status: ScheduleStatus | null;
  timeout?: NodeJS.Timeout;
}

/** Fires each timer function on its schedule; an invocation never overlaps the previous one. */
export function createTimerScheduler(options: TimerSchedulerOptions): TimerScheduler {
  const { invoker, logger } = options;
  let stopped = false;
  const timers: TimerState[] = options.functions.map((fn) => {
    const schedule = resolveAppSettings(stringOption(fn.trigger, 'schedule') ?? '', options.settings);
    try {
      return { fn, cron: parseSchedule(schedule, options.timeZone), status: null };
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
    if (stopped) return;
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
    if (stopped) return;
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

  return {
    start() {
      for (const state of timers) {
        const runOnStartup = booleanOption(state.fn.trigger, 'runOnStartup') ?? false;
        logger.debug('timer scheduled', { functionName: state.fn.name, next: state.cron.nextRun()?.toISOString(), runOnStartup });
        if (runOnStartup) {
          void run(state.fn, timerTriggerData(null)).then(() => arm(state, new Date()));
        } else {
          arm(state, new Date());
        }
      }
    },
    stop() {
      stopped = true;
      for (const state of timers) clearTimeout(state.timeout);
    },
    runNow: (fn) => run(fn, timerTriggerData(null)),
  };
}
