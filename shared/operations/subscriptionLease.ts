import type { Clock } from '../clock';
import { AlreadyExistsError, ConcurrencyConflictError, NotFoundError } from '../errors';
import type { Logger } from '../logging';
import type { HeldLeaseRow, SubscriptionLeaseRow, SubscriptionStore } from '../storage';

/**
 * Operations on one subscription are processed one at a time, whatever the number of workers: a
 * lease row in the subscriptions table, in the subscription's own partition (RowKey `lease`, see
 * subscriptionLeaseEntity.ts). Without it, two operations of one subscription processed at once (a
 * Suspend and a late ChangeQuantity, say) could both compute the same change from the same
 * marketplace state and tell the ISV twice.
 *
 * The row exists only while the lease is held: taking it is one conditional insert, releasing it one
 * ETag-conditional delete, or nothing extra at all when the holder's last write of the record
 * releases it in the same entity-group transaction (HeldLease.releaseWith). A row older than the TTL
 * was left by a worker that died and may be taken over (read, then ETag-conditional replace). The TTL
 * is short and the holder renews the lease while its work runs, so a dead worker blocks its
 * subscription for seconds, not minutes: a newer operation arriving meanwhile is still decided
 * inside Microsoft's 10-second window.
 *
 * Lease rows that older versions kept in the operations table (`~subscription~{id}`) are no longer
 * read or written.
 */
export type SubscriptionLease = HeldLeaseRow;
type Leases = Pick<SubscriptionStore, 'leases'>;

/** How long a lease lasts without renewal; the holder renews it every third of that. */
export const SUBSCRIPTION_LEASE_TTL_MS = 5_000;

function isHeld(row: SubscriptionLeaseRow, now: Date, ttlMs: number): boolean {
  return Date.parse(row.renewedAt) + ttlMs > now.getTime();
}

/** Takes the lease, or returns undefined when another worker holds it. */
export async function acquireSubscriptionLease(store: Leases, subscriptionId: string, now: Date, ttlMs: number): Promise<SubscriptionLease | undefined> {
  const at = now.toISOString();
  const fresh: SubscriptionLeaseRow = { subscriptionId, takenAt: at, renewedAt: at };
  try {
    return await store.leases.create(fresh);
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
  }
  try {
    // Held, or left by a worker that died: taken over only once it has expired.
    const existing = await store.leases.get(subscriptionId);
    if (existing === undefined) return await store.leases.create(fresh);
    if (isHeld(existing.value, now, ttlMs)) return undefined;
    return await store.leases.update(fresh, existing.etag);
  } catch (error) {
    if (error instanceof AlreadyExistsError || error instanceof ConcurrencyConflictError || error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Frees the lease; a lease that expired and was taken over is left to its new holder. */
export async function releaseSubscriptionLease(store: Pick<SubscriptionStore, 'leases'>, lease: SubscriptionLease): Promise<void> {
  try {
    await store.leases.delete(lease.value.subscriptionId, lease.etag);
  } catch (error) {
    if (!(error instanceof ConcurrencyConflictError) && !(error instanceof NotFoundError)) throw error;
  }
}

/** What the work is handed while the lease is held. */
export interface HeldLease {
  /**
   * Runs `write`, the last write of the record under the lease, with renewals paused, and tells it
   * whether to release the lease in the same transaction (`SubscriptionStore.update(…, {
   * releaseLease })`). That delete cannot carry the lease's ETag (the SDK's transactions delete
   * unconditionally), so it is asked for only while the lease is surely still this worker's: not
   * lost, and renewed less than half a TTL ago. Once `write` has released it, nothing else does;
   * when `write` fails, renewals resume and the holder releases the lease as usual.
   */
  releaseWith<T>(write: (releaseLease: boolean) => Promise<T>): Promise<T>;
}

/**
 * Runs `work` while holding the subscription's lease, renewed every third of `ttlMs` (one
 * ETag-conditional write each) and released afterwards, whatever `work` did, unless `work` released
 * it with its last write; `busy` when another worker holds it. A renewal that finds the lease taken
 * over (this worker was stalled for longer than the TTL) stops renewing and is logged: the work
 * itself is idempotent, so finishing it is safe.
 */
export async function holdSubscriptionLease<T>(
  deps: { subscriptions: Leases; clock: Clock; logger: Pick<Logger, 'warn'> },
  subscriptionId: string,
  work: (lease: HeldLease) => Promise<T>,
  ttlMs = SUBSCRIPTION_LEASE_TTL_MS,
): Promise<{ busy: true } | { busy: false; value: T }> {
  let lease = await acquireSubscriptionLease(deps.subscriptions, subscriptionId, deps.clock.now(), ttlMs);
  if (lease === undefined) return { busy: true };
  let renewedAt = deps.clock.now().getTime();
  let lost = false;
  let released = false;
  let paused = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    if (lost || released || paused || lease === undefined) return;
    const now = deps.clock.now();
    try {
      lease = await deps.subscriptions.leases.update({ ...lease.value, renewedAt: now.toISOString() }, lease.etag);
      renewedAt = now.getTime();
    } catch (error) {
      lost = true;
      deps.logger.warn('subscription lease not renewed', { subscriptionId, error });
    }
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, Math.max(1, Math.floor(ttlMs / 3)));
  timer.unref();
  const held: HeldLease = {
    async releaseWith(write) {
      paused = true;
      await renewing;
      const releaseLease = !lost && !released && deps.clock.now().getTime() - renewedAt < ttlMs / 2;
      try {
        const result = await write(releaseLease);
        if (releaseLease) released = true;
        return result;
      } finally {
        paused = false;
      }
    },
  };
  try {
    return { busy: false, value: await work(held) };
  } finally {
    clearInterval(timer);
    await renewing;
    if (!lost && !released) {
      await releaseSubscriptionLease(deps.subscriptions, lease).catch((error: unknown) => deps.logger.warn('subscription lease not released', { subscriptionId, error }));
    }
  }
}
