/**
 * Usage metering as this app keeps it: append-only usage records, and one bucket per subscription,
 * dimension and hour that carries the emission state machine (see docs/metering.md).
 */

/** Identifies one bucket: Microsoft accepts one event per resource, dimension and hour. */
export interface BucketKey {
  subscriptionId: string;
  dimension: string;
  /** Start of the UTC hour, ISO (`2025-03-10T12:00:00.000Z`). */
  hour: string;
}

/** A usage record about to be stored (already validated). */
export interface NewUsageRecord extends BucketKey {
  /** Unique within the bucket: the caller's `id`, or a generated one (prefixed so the two never meet). */
  recordId: string;
  /** The caller's `id`, when one was sent (retries with the same id are recognised). */
  callerId?: string;
  quantity: number;
  /** When the usage happened, as the caller reported it (ISO, UTC). */
  timestamp: string;
  receivedAt: string;
}

/** A stored record. `late`: written after its hour was sealed for emission, so it is kept but not billed. */
export interface UsageRecord extends NewUsageRecord {
  late: boolean;
}

/**
 * How a write reaches its bucket. `open`: the hour cannot have been sealed yet, so records are
 * appended without coordination, and no write attempt may start after `deadline` (the hour's end
 * plus a minute and a half; emission seals an hour only after it ended at least four minutes ago).
 * `closed`: the hour may be sealed, so every write checks the seal in the same transaction.
 */
export type AppendMode = { path: 'open'; deadline: Date } | { path: 'closed' };

export type AppendOutcome = { status: 'stored'; late: boolean } | { status: 'duplicate'; existing: UsageRecord };

/** Billable records were written before the seal; late ones after it. */
export interface BucketTotals {
  billableQuantity: number;
  billableRecords: number;
  lateQuantity: number;
  lateRecords: number;
}

export const BUCKET_STATES = ['Open', 'Emitting', 'Emitted', 'Duplicate', 'Rejected', 'Empty'] as const;
/**
 * - `Open`: not emitted yet (also after a failed call: `lastError` says why, the next run retries).
 * - `Emitting`: claimed by one emission run until `claim.expiresAt` (a crashed run's claim expires).
 * - `Emitted`: Microsoft accepted the event (`usageEventId`).
 * - `Duplicate`: Microsoft already held an event for this hour; its original was adopted.
 * - `Rejected`: Microsoft refused the event (`marketplaceStatus`: Expired, ResourceNotActive, …); never resent.
 * - `Empty`: nothing billable was recorded before the seal.
 */
export type BucketState = (typeof BUCKET_STATES)[number];

export const FINAL_BUCKET_STATES: readonly BucketState[] = ['Emitted', 'Duplicate', 'Rejected', 'Empty'];

export function isFinalState(state: BucketState): boolean {
  return FINAL_BUCKET_STATES.includes(state);
}

export interface BucketError {
  code: string;
  message: string;
  at: string;
}

export interface UsageBucket extends BucketKey {
  offerId: string;
  /** The subscription's plan when the hour's first record arrived; sent as the event's `planId`. */
  planId: string;
  state: BucketState;
  createdAt: string;
  updatedAt: string;
  /** Emission attempts (claims) so far. */
  attempts: number;
  claim?: { token: string; expiresAt: string };
  /** The billable total sent to Microsoft. */
  sentQuantity?: number;
  /** What Microsoft holds for the hour (its quantity on a duplicate). */
  billedQuantity?: number;
  usageEventId?: string;
  /** Microsoft's per-event status (Accepted, Duplicate, Expired, ResourceNotActive, …). */
  marketplaceStatus?: string;
  messageTime?: string;
  emittedAt?: string;
  lastError?: BucketError;
}

/** The pending index: one row per bucket not yet final, so emission never scans every bucket. */
export interface PendingBucket extends BucketKey {
  offerId: string;
  planId: string;
}
