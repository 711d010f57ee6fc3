/**
 * Retry decisions, kept pure so they can be tested without a server. See README.md ("Retries")
 * for why each class of call is retried the way it is.
 *
 * - `safe`: reads, resolve, activate, the operation acknowledgement and metering posts. Repeating
 *   them cannot create a second effect, so 408, 429, 5xx (except 501/505), timeouts and network
 *   errors are retried.
 * - `notAccepted`: change plan, change quantity and delete. A repeat after a lost response could
 *   start a second operation, so they are retried only when the service certainly did not accept
 *   the request: 429, 503 with Retry-After, or a connection that was never established.
 */
export type RetryClass = 'safe' | 'notAccepted';

export type AttemptOutcome =
  | { type: 'status'; status: number; retryAfterMs?: number }
  | { type: 'timeout' }
  | { type: 'network'; connected: boolean };

const SAFE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryable(retryClass: RetryClass, outcome: AttemptOutcome): boolean {
  if (retryClass === 'safe') {
    if (outcome.type === 'status') return SAFE_STATUSES.has(outcome.status) || (outcome.status >= 506 && outcome.status <= 599);
    return true;
  }
  switch (outcome.type) {
    case 'status':
      return outcome.status === 429 || (outcome.status === 503 && outcome.retryAfterMs !== undefined);
    case 'network':
      return !outcome.connected;
    case 'timeout':
      return false;
  }
}

export interface BackoffSettings {
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

export const DEFAULT_BACKOFF: Omit<BackoffSettings, 'random'> = { baseDelayMs: 500, maxDelayMs: 8_000 };

/**
 * Delay before attempt `attempt + 1`: the server's Retry-After when given, otherwise exponential
 * backoff with full jitter (a uniform pick between 0 and base·2^(attempt-1), capped).
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, settings: BackoffSettings): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(settings.random() * ceiling);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP-date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP-date forms all start with a day name ("Mon, 05 Jan 2026 12:00:05 GMT").
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Error codes that mean the TCP connection was never made, so the request never left us. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** System calls on a connection that exists: an unreachable host reported by one of them came after the request may have left. */
const CONNECTED_SYSCALLS = new Set(['read', 'write', 'writev']);

/**
 * True only when the error says no connection was ever made. Reads node:net errors (`code` and
 * `syscall` on the error itself, as node:http rejects with them), fetch's wrapping of them
 * (`cause`) and Node's happy-eyeballs AggregateError (`errors`: one per address tried, all of which
 * must have failed to connect). Shapes, not `instanceof Error`: errors may come from another realm.
 */
export function wasNeverConnected(error: unknown): boolean {
  return neverConnected(error, 0);
}

function neverConnected(error: unknown, depth: number): boolean {
  if (depth >= 5 || typeof error !== 'object' || error === null) return false;
  const { code, syscall, cause, errors } = error as { code?: unknown; syscall?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && NOT_CONNECTED_CODES.has(code)) return !(typeof syscall === 'string' && CONNECTED_SYSCALLS.has(syscall));
  if (Array.isArray(errors) && errors.length > 0) return errors.every((inner) => neverConnected(inner, depth + 1));
  return neverConnected(cause, depth + 1);
}
