import { AlreadyExistsError, ConcurrencyConflictError } from '../errors';
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
 * considered abandoned (a worker died) and may be taken over.
 */
export const LEASE_ID_PREFIX = '~subscription~';
export const LEASE_ACTION = 'SubscriptionLease';

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
