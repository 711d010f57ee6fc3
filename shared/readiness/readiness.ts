import type { Clock } from '../clock';
import { toError } from '../errors';
import { redactText, type Logger } from '../logging';

/**
 * `pass`: fine. `warn`: worth a look, but the app can serve (a message in a poison queue, a
 * partial run). `fail`: the app cannot do its work until this is fixed (the answer is 503).
 * `skip`: not configured, nothing to check.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckOutcome {
  status: CheckStatus;
  /** What was found and, unless `pass`, what to fix. Never a secret or a token. */
  reason: string;
  /** Small facts behind the reason (counts, ages, the outcome of a run). */
  details?: Record<string, unknown>;
}

export interface ReadinessCheck {
  /** Stable name, used as the `check` dimension of alerts and metrics. */
  name: string;
  /** Must give up when `signal` aborts (the check's timeout). */
  run(signal: AbortSignal): Promise<CheckOutcome>;
}

export interface CheckResult extends CheckOutcome {
  name: string;
  durationMs: number;
}

export interface ReadinessReport {
  status: 'ready' | 'unready';
  checkedAt: string;
  /** The names of the checks that failed, so that a caller counts them in one line. */
  failing: string[];
  checks: CheckResult[];
}

export interface ReadinessDeps {
  checks: readonly ReadinessCheck[];
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  /** Per check (default 5 s): a check still running then fails with "did not answer within". */
  timeoutMs?: number;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;

/**
 * Runs every check in parallel, each bounded by its own timeout, and answers `ready` unless one
 * failed. A check that throws fails with the error's (redacted) message. Each failing check is
 * logged as one structured warning (`check`, `reason`), the hook for alerts on logs.
 */
export async function checkReadiness(deps: ReadinessDeps): Promise<ReadinessReport> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const checkedAt = deps.clock.now().toISOString();
  const checks = await Promise.all(deps.checks.map((check) => runOne(check, timeoutMs)));
  const failing = checks.filter((c) => c.status === 'fail').map((c) => c.name);
  for (const check of checks) {
    if (check.status === 'fail') deps.logger.warn('readiness check failed', { check: check.name, reason: check.reason, durationMs: check.durationMs });
  }
  return { status: failing.length === 0 ? 'ready' : 'unready', checkedAt, failing, checks };
}

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
      resolve({ status: 'fail', reason: `did not answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const attempt = check.run(controller.signal).catch(
    (error: unknown): CheckOutcome => ({ status: 'fail', reason: redactText(`${toError(error).message}`).slice(0, 500) }),
  );
  try {
    const outcome = await Promise.race([attempt, timedOut]);
    return { name: check.name, ...outcome, reason: redactText(outcome.reason), durationMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}
