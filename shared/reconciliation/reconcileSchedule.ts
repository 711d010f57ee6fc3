/** NCRONTAB (6 fields, UTC): minute 20 of every hour, clear of the top of the hour and of usage emission (minute 10). */
export const RECONCILE_SCHEDULE = '0 20 * * * *';

/**
 * Whether the timer firing at `now` should reconcile: when the UTC hour is a multiple of
 * `everyHours` (RECONCILE_EVERY_HOURS, a divisor of 24); never when it is 0.
 */
export function isReconcileHour(now: Date, everyHours: number): boolean {
  return everyHours > 0 && now.getUTCHours() % everyHours === 0;
}
