import { systemClock, type Clock } from '../../shared/clock';
import { AlreadyExistsError, ConcurrencyConflictError, DependencyUnavailableError, NotFoundError } from '../../shared/errors';
import { hourKey } from '../../shared/metering/hours';
import type { AppendMode, AppendOutcome, BucketKey, BucketTotals, NewUsageRecord, PendingBucket, UsageBucket } from '../../shared/metering/model';
import { BucketTotalsSum } from '../../shared/metering/quantity';
import { bucketCodec, pendingFromEntity, pendingToEntity, recordFromEntity, recordSumSchema, recordToEntity } from '../../shared/metering/usageEntities';
import { bucketId, bucketRowKeys, pendingRowKeys, recordPartition, recordPartitions, shardOf } from '../../shared/metering/usageKeys';
import { DEFAULT_BUCKET_PAGE_SIZE, type ListBucketsOptions, type ListPendingOptions, type UsageStore } from '../../shared/metering/usageStore';
import { assertConditionalEtag } from '../../shared/storage/entityCodec';
import { checkPageSize, decodeContinuationToken, encodeContinuationToken, type Page } from '../../shared/storage/continuationToken';
import type { Versioned } from '../../shared/subscription/model';

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

let etags = 0;
const nextEtag = (): string => `W/"usage-${(etags += 1)}"`;
const key = (pk: string, rk: string): string => `${pk}\u0000${rk}`;

export interface InMemoryUsageStoreOptions {
  /** Decides when an open-hour write is past its deadline (default: the system clock). */
  clock?: Clock;
  /**
   * Awaited before every step that touches storage (one per record for appends). Property tests
   * pass a scheduler here to interleave concurrent ingestion and emission runs.
   */
  gate?: (step: string) => Promise<void>;
}

/**
 * UsageStore in memory with the Table adapter's contract: the same codecs and keys, duplicate
 * detection on the record id, the seal (closed-hour writes after it are late), open-hour write
 * deadlines, ETag-conditional bucket updates and paging.
 */
export class InMemoryUsageStore implements UsageStore {
  /** Record rows by partition, then row key. */
  private readonly records = new Map<string, Map<string, Row>>();
  private readonly seals = new Map<string, { sealed: boolean; writes: number }>();
  private readonly buckets = new Map<string, { row: Row; etag: string }>();
  private readonly pending = new Map<string, Row>();
  private readonly clock: Clock;
  private readonly gate: (step: string) => Promise<void>;

  constructor(options: InMemoryUsageStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.gate = options.gate ?? (() => Promise.resolve());
  }

  async appendRecords(records: readonly NewUsageRecord[], mode: AppendMode): Promise<AppendOutcome[]> {
    const first = records[0];
    if (first !== undefined && records.some((r) => bucketId(r) !== bucketId(first))) throw new TypeError('appendRecords takes the records of one bucket');
    const outcomes: AppendOutcome[] = [];
    for (const record of records) {
      const partition = recordPartition(record, shardOf(record.recordId));
      const entity = recordToEntity(record, partition, false) as Row;
      await this.gate('append');
      if (mode.path === 'open' && this.clock.now().getTime() >= mode.deadline.getTime()) {
        throw new DependencyUnavailableError('table-storage', 'The write deadline of this hour has passed; retry with the same ids');
      }
      const rows = this.records.get(partition) ?? new Map<string, Row>();
      this.records.set(partition, rows);
      const existing = rows.get(record.recordId);
      if (existing !== undefined) {
        outcomes.push({ status: 'duplicate', existing: recordFromEntity(existing, record) });
        continue;
      }
      const seal = this.seals.get(partition);
      const late = mode.path === 'closed' && seal?.sealed === true;
      if (mode.path === 'closed' && !late) this.seals.set(partition, { sealed: false, writes: (seal?.writes ?? 0) + 1 });
      rows.set(record.recordId, { ...entity, late });
      outcomes.push({ status: 'stored', late });
    }
    return outcomes;
  }

  async sealBucket(bucket: BucketKey): Promise<void> {
    await this.gate('seal');
    for (const partition of recordPartitions(bucket)) this.seals.set(partition, { sealed: true, writes: this.seals.get(partition)?.writes ?? 0 });
  }

  async sumBucket(bucket: BucketKey): Promise<BucketTotals> {
    await this.gate('sum');
    const totals = new BucketTotalsSum();
    const rows = recordPartitions(bucket).flatMap((partition) => [...(this.records.get(partition)?.values() ?? [])].sort(byKeys));
    for (const row of rows) totals.add(recordSumSchema.parse(row));
    return totals.totals();
  }

  async createBucket(bucket: UsageBucket): Promise<Versioned<UsageBucket>> {
    const row = bucketCodec.toEntity(bucket) as Row;
    await this.gate('createBucket');
    const k = key(row.partitionKey, row.rowKey);
    if (this.buckets.has(k)) throw new AlreadyExistsError(bucketCodec.resource, bucketCodec.idOf(bucket));
    const etag = nextEtag();
    this.buckets.set(k, { row, etag });
    return { value: bucketCodec.fromEntity(row), etag };
  }

  async getBucket(bucket: BucketKey): Promise<Versioned<UsageBucket> | undefined> {
    const { partitionKey, rowKey } = bucketRowKeys(bucket);
    await this.gate('getBucket');
    const stored = this.buckets.get(key(partitionKey, rowKey));
    return stored === undefined ? undefined : { value: bucketCodec.fromEntity(stored.row), etag: stored.etag };
  }

  async updateBucket(bucket: UsageBucket, etag: string): Promise<Versioned<UsageBucket>> {
    assertConditionalEtag(etag);
    const row = bucketCodec.toEntity(bucket) as Row;
    await this.gate('updateBucket');
    const k = key(row.partitionKey, row.rowKey);
    const stored = this.buckets.get(k);
    if (stored === undefined) throw new NotFoundError(bucketCodec.resource, bucketCodec.idOf(bucket));
    if (stored.etag !== etag) throw new ConcurrencyConflictError(bucketCodec.resource, bucketCodec.idOf(bucket));
    const next = nextEtag();
    this.buckets.set(k, { row, etag: next });
    return { value: bucketCodec.fromEntity(row), etag: next };
  }

  async listBuckets(subscriptionId: string, options: ListBucketsOptions = {}): Promise<Page<Versioned<UsageBucket>>> {
    await this.gate('listBuckets');
    const from = options.fromHour === undefined ? undefined : hourKey(options.fromHour);
    const to = options.toHour === undefined ? undefined : hourKey(options.toHour);
    const rows = [...this.buckets.values()]
      .filter(({ row }) => row.partitionKey === subscriptionId && (from === undefined || row.rowKey >= from) && (to === undefined || row.rowKey < to))
      .sort((a, b) => byKeys(a.row, b.row));
    return page(rows, (r) => r.row, options, ({ row, etag }) => ({ value: bucketCodec.fromEntity(row), etag }));
  }

  async addPending(entry: PendingBucket): Promise<void> {
    const row = pendingToEntity(entry) as Row;
    await this.gate('addPending');
    const k = key(row.partitionKey, row.rowKey);
    if (!this.pending.has(k)) this.pending.set(k, row);
  }

  async listPending(options: ListPendingOptions): Promise<Page<PendingBucket>> {
    await this.gate('listPending');
    const through = hourKey(options.throughHour);
    const rows = [...this.pending.values()].filter((row) => row.partitionKey <= through).sort(byKeys);
    return page(rows, (r) => r, options, pendingFromEntity);
  }

  async removePending(bucket: BucketKey): Promise<void> {
    const { partitionKey, rowKey } = pendingRowKeys(bucket);
    await this.gate('removePending');
    this.pending.delete(key(partitionKey, rowKey));
  }
}

function byKeys(a: Row, b: Row): number {
  if (a.partitionKey !== b.partitionKey) return a.partitionKey < b.partitionKey ? -1 : 1;
  return a.rowKey < b.rowKey ? -1 : a.rowKey > b.rowKey ? 1 : 0;
}

function page<S, T>(sorted: S[], rowOf: (s: S) => Row, options: { pageSize?: number; continuationToken?: string }, decode: (s: S) => T): Page<T> {
  const size = checkPageSize(options.pageSize, DEFAULT_BUCKET_PAGE_SIZE);
  const position = options.continuationToken === undefined ? undefined : decodeContinuationToken(options.continuationToken);
  const after = position === undefined ? sorted : sorted.filter((s) => {
    const row = rowOf(s);
    return row.partitionKey > position.nextPartitionKey || (row.partitionKey === position.nextPartitionKey && row.rowKey >= (position.nextRowKey ?? ''));
  });
  const items = after.slice(0, size).map(decode);
  const following = after[size];
  if (following === undefined) return { items };
  const row = rowOf(following);
  return { items, continuationToken: encodeContinuationToken({ nextPartitionKey: row.partitionKey, nextRowKey: row.rowKey }) };
}
