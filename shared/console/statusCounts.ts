import type { Clock } from '../clock';
import type { StatusCounts, SubscriptionStatusCounter } from '../storage';

/** How long the overview's counts by status are reused before they are counted again. */
export const STATUS_COUNTS_TTL_MS = 60_000;

export interface StatusCountsView {
  counts: StatusCounts;
  /** When they were counted (ISO 8601). */
  countedAt: string;
}

/**
 * The counts by status, counted at most once per `ttlMs` in this process: every overview within the
 * window shows the same figures (with the time they were counted), and overviews that arrive while a
 * count runs wait for that count instead of starting another. A failed count is not kept.
 */
export function cachedStatusCounts(counter: SubscriptionStatusCounter, clock: Clock, ttlMs = STATUS_COUNTS_TTL_MS): () => Promise<StatusCountsView> {
  let current: { view: StatusCountsView; at: number } | undefined;
  let running: Promise<StatusCountsView> | undefined;
  return () => {
    if (current !== undefined && clock.now().getTime() - current.at < ttlMs) return Promise.resolve(current.view);
    running ??= counter
      .countByStatus()
      .then((counts) => {
        const at = clock.now();
        current = { view: { counts, countedAt: at.toISOString() }, at: at.getTime() };
        return current.view;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
