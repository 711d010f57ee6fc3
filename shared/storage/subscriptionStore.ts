import { ConcurrencyConflictError, NotFoundError } from '../errors';
import type { SubscriptionRecord, SubscriptionStatus, Versioned } from '../subscription/model';
import type { Page } from './continuationToken';
import type { SubscriptionLeaseRows } from './subscriptionLeaseEntity';

export interface ListSubscriptionsOptions {
  status?: SubscriptionStatus;
  offerId?: string;
  planId?: string;
  isTest?: boolean;
  /** 1–1000, default 100. */
  pageSize?: number;
  /** From the previous page; opaque. */
  continuationToken?: string;
}

export interface UpdateWithRetryOptions {
  /** Attempts in all, first included (default 5). */
  maxAttempts?: number;
}

/** Returns the new record, or undefined for "no change needed" (nothing is written). May be async. */
export type SubscriptionMutation = (
  current: SubscriptionRecord,
) => SubscriptionRecord | undefined | Promise<SubscriptionRecord | undefined>;

export interface UpdateSubscriptionOptions {
  /**
   * Releases the subscription's lease (deletes its row) in the same entity-group transaction as the
   * write. Only for the lease's holder: the SDK's transactions delete without an ETag, so the delete
   * is unconditional (see subscriptionLease.ts for when the holder may ask for it). When the lease row
   * is gone, the record is written alone; the record's own ETag decides either way.
   */
  releaseLease?: boolean;
}

/** Subscriptions, with optimistic concurrency: every state change presents the ETag it read. */
export interface SubscriptionStore {
  /** The subscriptions' lease rows (same table, same partition as each record; see subscriptionLeaseEntity). */
  readonly leases: SubscriptionLeaseRows;
  /** Conditional insert; AlreadyExistsError if the id is taken. */
  create(record: SubscriptionRecord): Promise<Versioned<SubscriptionRecord>>;
  get(id: string): Promise<Versioned<SubscriptionRecord> | undefined>;
  /** Replaces the record if `etag` is current: ConcurrencyConflictError if stale, NotFoundError if missing. */
  update(record: SubscriptionRecord, etag: string, options?: UpdateSubscriptionOptions): Promise<Versioned<SubscriptionRecord>>;
  /** One page, ordered by id; filters combine with AND. */
  list(options?: ListSubscriptionsOptions): Promise<Page<Versioned<SubscriptionRecord>>>;
  /** Read, mutate, conditional update; on ConcurrencyConflictError re-reads and calls `mutate` again. */
  updateWithRetry(id: string, mutate: SubscriptionMutation, options?: UpdateWithRetryOptions): Promise<Versioned<SubscriptionRecord>>;
}

export const DEFAULT_SUBSCRIPTION_PAGE_SIZE = 100;
const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * The retry loop behind `SubscriptionStore.updateWithRetry`, shared by every implementation.
 * NotFoundError if the subscription does not exist; the last ConcurrencyConflictError once
 * `maxAttempts` is used up; anything `mutate` throws propagates at once.
 */
export async function updateWithRetry(
  store: Pick<SubscriptionStore, 'get' | 'update'>,
  id: string,
  mutate: SubscriptionMutation,
  { maxAttempts = DEFAULT_MAX_ATTEMPTS }: UpdateWithRetryOptions = {},
): Promise<Versioned<SubscriptionRecord>> {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  for (let attempt = 1; ; attempt += 1) {
    const current = await store.get(id);
    if (current === undefined) throw new NotFoundError('Subscription', id);
    const next = await mutate(structuredClone(current.value));
    if (next === undefined) return current;
    if (next.id !== id) throw new TypeError(`mutate changed the subscription id from ${id} to ${next.id}`);
    try {
      return await store.update(next, current.etag);
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError) || attempt >= maxAttempts) throw error;
    }
  }
}
