import type { Clock } from '../clock';
import { toError } from '../errors';
import type { Logger } from '../logging';

/** The timer jobs whose last run is recorded (retention is the personal-data retention timer). */
export const JOB_NAMES = ['reconciliation', 'usageEmission', 'retention'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/**
 * `running`: started, not finished yet (or the process died during the run: compare `startedAt`
 * with the job's time budget). `succeeded`: finished with nothing failed. `partial`: finished, but
 * some items failed (listed in the job's own report). `failed`: the run stopped with an error.
 */
export const RUN_OUTCOMES = ['running', 'succeeded', 'partial', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface JobRun {
  job: JobName;
  runId: string;
  startedAt: string;
  finishedAt?: string;
  outcome: RunOutcome;
  /** The run's summary counts (e.g. seen, repaired, failed; emitted, rejected). */
  counts: Record<string, number>;
  /** Why the run failed (`name: message`, no secrets: error messages are redacted before they are stored). */
  error?: string;
}

/** The port: the last run of each job (Table Storage in production, in memory in tests). */
export interface JobRunStore {
  /** Writes `run` as the job's last run (replacing the one before). */
  save(run: JobRun): Promise<void>;
  /** The job's last run, if it ever ran. */
  latest(job: JobName): Promise<JobRun | undefined>;
  /** The last run of every job that ran, in JOB_NAMES order. */
  list(): Promise<JobRun[]>;
}

export interface RecordRunOptions<R> {
  /** Absent: the run is not recorded (benchmarks, tests that do not look). */
  runs: JobRunStore | undefined;
  job: JobName;
  runId: string;
  startedAt: string;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  /** The outcome and counts of a finished run. */
  summarize(result: R): { outcome: Exclude<RunOutcome, 'running' | 'failed'>; counts: Record<string, number> };
}

/**
 * Runs `work` and records it as the job's last run: `running` when it starts, then its outcome and
 * counts (or `failed` and the error). A failure to record is logged and never fails the job itself.
 */
export async function recordRun<R>(options: RecordRunOptions<R>, work: () => Promise<R>): Promise<R> {
  const { runs, job, runId, startedAt, clock, logger } = options;
  const save = async (run: JobRun): Promise<void> => {
    if (runs === undefined) return;
    try {
      await runs.save(run);
    } catch (error) {
      logger.warn('job run not recorded', { job, runId, outcome: run.outcome, error });
    }
  };
  await save({ job, runId, startedAt, outcome: 'running', counts: {} });
  let result: R;
  try {
    result = await work();
  } catch (thrown) {
    const error = toError(thrown);
    await save({ job, runId, startedAt, finishedAt: clock.now().toISOString(), outcome: 'failed', counts: {}, error: `${error.name}: ${error.message}`.slice(0, 500) });
    throw thrown;
  }
  await save({ job, runId, startedAt, finishedAt: clock.now().toISOString(), ...options.summarize(result) });
  return result;
}
