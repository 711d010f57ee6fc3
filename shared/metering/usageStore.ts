import type { Page } from '../storage/continuationToken';
import type { Versioned } from '../subscription/model';
import type { AppendMode, AppendOutcome, BucketKey, BucketTotals, NewUsageRecord, PendingBucket, UsageBucket } from './model';

export interface ListBucketsOptions {
  /** First hour (inclusive), ISO. */
  fromHour?: string;
  /** Last hour (exclusive), ISO. */
  toHour?: string;
  /** 1–1000, default 100. */
  pageSize?: number;
  continuationToken?: string;
}

export interface ListPendingOptions {
  /** Last hour (inclusive) to list, ISO. Rows come oldest hour first. */
  throughHour: string;
  pageSize?: number;
  continuationToken?: string;
}

export const DEFAULT_BUCKET_PAGE_SIZE = 100;

/**
 * Storage of usage: append-only records (sharded, deduplicated on their record id), the bucket rows
 * holding the emission state machine, and the pending index. Implemented on Azure Tables and in
 * memory (test/fakes/inMemoryUsageStore.ts) with the same contract.
 */
export interface UsageStore {
  /**
   * Appends records of ONE bucket. Returns one outcome per record, in order: `stored` (with `late`
   * when the hour was already sealed) or `duplicate` (a record with that id is already stored).
   * `open` writes fail with DependencyUnavailableError once their deadline has passed (nothing of
   * the failed group is known to be stored: retry with the same ids).
   */
  appendRecords(records: readonly NewUsageRecord[], mode: AppendMode): Promise<AppendOutcome[]>;
  /**
   * Seals every shard of the bucket: from now on, records written to it are `late`. Idempotent.
   * Records stored before the seal completes are summed as billable by `sumBucket`.
   */
  sealBucket(key: BucketKey): Promise<void>;
  sumBucket(key: BucketKey): Promise<BucketTotals>;

  /** Conditional insert: AlreadyExistsError if the bucket exists. */
  createBucket(bucket: UsageBucket): Promise<Versioned<UsageBucket>>;
  getBucket(key: BucketKey): Promise<Versioned<UsageBucket> | undefined>;
  /** ETag-conditional replace: ConcurrencyConflictError if stale, NotFoundError if missing. */
  updateBucket(bucket: UsageBucket, etag: string): Promise<Versioned<UsageBucket>>;
  /** One subscription's buckets, by hour then dimension. */
  listBuckets(subscriptionId: string, options?: ListBucketsOptions): Promise<Page<Versioned<UsageBucket>>>;

  /** Adds the bucket to the pending index; nothing happens if it is already there. */
  addPending(entry: PendingBucket): Promise<void>;
  listPending(options: ListPendingOptions): Promise<Page<PendingBucket>>;
  /** Idempotent. */
  removePending(key: BucketKey): Promise<void>;
}
