/**
 * Microsoft meters per UTC hour (minute 0 to 59): one event per resource, dimension and hour, with
 * `effectiveStartTime` = the start of that hour, accepted for 24 hours (marketplace-api.md §7.3).
 */
export const HOUR_MS = 60 * 60 * 1000;
/** Microsoft refuses events whose `effectiveStartTime` is older than this. */
export const MICROSOFT_WINDOW_MS = 24 * HOUR_MS;

/** Start of the UTC hour holding `at`, in epoch milliseconds. */
export function hourStartMs(at: Date | number): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The hour as an ISO string (`2025-03-10T12:00:00.000Z`): how buckets name their hour. */
export function hourIso(at: Date | number): string {
  return new Date(hourStartMs(at)).toISOString();
}

/** `yyyyMMddHH`: sortable and safe in table keys. */
export function hourKey(hour: string | number): string {
  const iso = typeof hour === 'number' ? new Date(hourStartMs(hour)).toISOString() : hour;
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}`;
}

/** Inverse of hourKey. */
export function hourFromKey(key: string): string {
  if (!/^\d{10}$/.test(key)) throw new TypeError(`not an hour key: ${key}`);
  return `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}T${key.slice(8, 10)}:00:00.000Z`;
}

/**
 * The last hour that may be emitted at `now`: an hour is emitted only once it ended at least
 * `settleMs` ago, so that usage reported just after the hour still reaches it.
 */
export function lastEmittableHourMs(now: Date, settleMs: number): number {
  return hourStartMs(now.getTime() - settleMs) - HOUR_MS;
}
