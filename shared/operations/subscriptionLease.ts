import type { Clock } from '../clock';
import { AlreadyExistsError, ConcurrencyConflictError } from '../errors';
import type { Logger } from '../logging';
import type { OperationLedger, OperationRecord } from '../storage';
import type { Versioned } from '../subscription/model';

/**
 * Operations on one subscription are processed one at a time, whatever the number of workers: a
 * lease row in the operation ledger, taken and released with ETag-conditional writes. Without it,
 * two operations of one subscription processed at once (a Suspend and a late ChangeQuantity, say)
 * could both compute the same change from the same marketplace state and tell the ISV twice.
 *
 * The lease row's id starts with `~`, which no webhook operation id can contain (see webhookPayload),
 * and its state is `Processing` while held, `Completed` when free. A lease older than its TTL is
 * considered abandoned (a worker died) and may be taken over. The TTL is short and the holder renews
 * the lease while its work runs (holdSubscriptionLease), so a dead worker blocks its subscription for
 * seconds, not minutes: a newer operation arriving meanwhile is still decided inside Microsoft's
 * 10-second window.
 */
export const LEASE_ID_PREFIX = '~subscription~';
export const LEASE_ACTION = 'SubscriptionLease';

/** How long a lease lasts without renewal; the holder renews it every third of that. */
export const SUBSCRIPTION_LEASE_TTL_MS = 5_000;

export type SubscriptionLease = Versioned<OperationRecord>;

export function leaseId(subscriptionId: string): string {
  return `${LEASE_ID_PREFIX}${subscriptionId}`;
}

function isHeld(row: OperationRecord, now: Date, ttlMs: number): boolean {
  return row.state === 'Processing' && Date.parse(row.updatedAt) + ttlMs > now.getTime();
}

/** Takes the lease, or returns undefined when another worker holds it. */
export async function acquireSubscriptionLease(
  ledger: Pick<OperationLedger, 'create' | 'get' | 'update'>,
  subscriptionId: string,
  now: Date,
  ttlMs: number,
): Promise<SubscriptionLease | undefined> {
  const id = leaseId(subscriptionId);
  const at = now.toISOString();
  const existing = await ledger.get(id);
  try {
    if (existing === undefined) {
      return await ledger.create({ id, subscriptionId, action: LEASE_ACTION, state: 'Processing', receivedAt: at, updatedAt: at, attempts: 1 });
    }
    if (isHeld(existing.value, now, ttlMs)) return undefined;
    return await ledger.update({ ...existing.value, state: 'Processing', updatedAt: at, attempts: existing.value.attempts + 1 }, existing.etag);
  } catch (error) {
    if (error instanceof AlreadyExistsError || error instanceof ConcurrencyConflictError) return undefined;
    throw error;
  }
}

/** Frees the lease; a lease that expired and was taken over is left to its new holder. */
export async function releaseSubscriptionLease(
  ledger: Pick<OperationLedger, 'update'>,
  lease: SubscriptionLease,
  now: Date,
): Promise<void> {
  try {
    await ledger.update({ ...lease.value, state: 'Completed', updatedAt: now.toISOString() }, lease.etag);
  } catch (error) {
    if (!(error instanceof ConcurrencyConflictError)) throw error;
  }
}

/**
 * Runs `work` while holding the subscription's lease, renewed every third of `ttlMs` (one
 * ETag-conditional write each) and released afterwards, whatever `work` did; `busy` when another
 * worker holds it. A renewal that finds the lease taken over (this worker was stalled for longer than
 * the TTL) stops renewing and is logged: the work itself is idempotent, so finishing it is safe.
 */
export async function holdSubscriptionLease<T>(
  deps: { operations: Pick<OperationLedger, 'create' | 'get' | 'update'>; clock: Clock; logger: Pick<Logger, 'warn'> },
  subscriptionId: string,
  work: () => Promise<T>,
  ttlMs = SUBSCRIPTION_LEASE_TTL_MS,
): Promise<{ busy: true } | { busy: false; value: T }> {
  let lease = await acquireSubscriptionLease(deps.operations, subscriptionId, deps.clock.now(), ttlMs);
  if (lease === undefined) return { busy: true };
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    if (lost || lease === undefined) return;
    try {
      lease = await deps.operations.update({ ...lease.value, updatedAt: deps.clock.now().toISOString() }, lease.etag);
    } catch (error) {
      lost = true;
      deps.logger.warn('subscription lease not renewed', { subscriptionId, error });
    }
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, Math.max(1, Math.floor(ttlMs / 3)));
  timer.unref();
  try {
    return { busy: false, value: await work() };
  } finally {
    clearInterval(timer);
    await renewing;
    if (!lost) {
      await releaseSubscriptionLease(deps.operations, lease, deps.clock.now()).catch((error: unknown) =>
        deps.logger.warn('subscription lease not released', { subscriptionId, error }),
      );
    }
  }
}
