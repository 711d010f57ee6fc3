import type { TableClient } from '@azure/data-tables';
import { odata } from '../lazySdk';
import type { Clock } from '../clock';
import { AlreadyExistsError } from '../errors';
import type { Page } from '../storage/continuationToken';
import { assertConditionalEtag } from '../storage/entityCodec';
import { ensureTable } from '../storage/storageSettings';
import { assertValidKey } from '../storage/tableKeys';
import { translateTableError } from '../storage/tableErrors';
import { readPage } from '../storage/tablePaging';
import { isEntityNotFound } from '../storage/versionedTable';
import type { Versioned } from '../subscription/model';
import { hourKey } from './hours';
import type { AppendMode, AppendOutcome, BucketKey, BucketTotals, NewUsageRecord, PendingBucket, UsageBucket } from './model';
import { TableUsageRecords } from './tableUsageRecords';
import { bucketCodec, pendingFromEntity, pendingToEntity } from './usageEntities';
import { bucketId, bucketRowKeys, pendingRowKeys } from './usageKeys';
import { DEFAULT_BUCKET_PAGE_SIZE, type ListBucketsOptions, type ListPendingOptions, type UsageStore } from './usageStore';

export interface UsageTableClients {
  records: TableClient;
  buckets: TableClient;
  pending: TableClient;
}

/** UsageStore on Azure (or Azurite) tables: records (tableUsageRecords.ts), bucket rows and the pending index. */
export class TableUsageStore implements UsageStore {
  private readonly records: TableUsageRecords;

  constructor(
    private readonly clients: UsageTableClients,
    options: { clock?: Clock } = {},
  ) {
    this.records = new TableUsageRecords(clients.records, options);
  }

  appendRecords(records: readonly NewUsageRecord[], mode: AppendMode): Promise<AppendOutcome[]> {
    return this.records.appendRecords(records, mode);
  }

  sealBucket(key: BucketKey): Promise<void> {
    return this.records.sealBucket(key);
  }

  sumBucket(key: BucketKey): Promise<BucketTotals> {
    return this.records.sumBucket(key);
  }

  async createBucket(bucket: UsageBucket): Promise<Versioned<UsageBucket>> {
    const entity = bucketCodec.toEntity(bucket);
    try {
      await this.ensure(this.clients.buckets, 'usage buckets');
      const response = await this.clients.buckets.createEntity(entity as never);
      return { value: bucketCodec.fromEntity(entity), etag: String(response.etag) };
    } catch (error) {
      throw translateTableError(error, { resource: bucketCodec.resource, id: bucketCodec.idOf(bucket) });
    }
  }

  async getBucket(key: BucketKey): Promise<Versioned<UsageBucket> | undefined> {
    const { partitionKey, rowKey } = bucketRowKeys(key);
    try {
      await this.ensure(this.clients.buckets, 'usage buckets');
      const entity = await this.clients.buckets.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      return { value: bucketCodec.fromEntity(entity), etag: String(entity.etag) };
    } catch (error) {
      if (isEntityNotFound(error)) return undefined;
      throw translateTableError(error, { resource: bucketCodec.resource, id: bucketId(key) });
    }
  }

  async updateBucket(bucket: UsageBucket, etag: string): Promise<Versioned<UsageBucket>> {
    assertConditionalEtag(etag);
    const entity = bucketCodec.toEntity(bucket);
    try {
      await this.ensure(this.clients.buckets, 'usage buckets');
      const response = await this.clients.buckets.updateEntity(entity as never, 'Replace', { etag });
      return { value: bucketCodec.fromEntity(entity), etag: String(response.etag) };
    } catch (error) {
      throw translateTableError(error, { resource: bucketCodec.resource, id: bucketCodec.idOf(bucket) });
    }
  }

  listBuckets(subscriptionId: string, options: ListBucketsOptions = {}): Promise<Page<Versioned<UsageBucket>>> {
    return readPage(this.clients.buckets, {
      filter: () => {
        const clauses = [odata`PartitionKey eq ${assertValidKey(subscriptionId, 'subscription id')}`];
        if (options.fromHour !== undefined) clauses.push(odata`RowKey ge ${hourKey(options.fromHour)}`);
        if (options.toHour !== undefined) clauses.push(odata`RowKey lt ${hourKey(options.toHour)}`);
        return clauses.join(' and ');
      },
      pageSize: options.pageSize,
      defaultPageSize: DEFAULT_BUCKET_PAGE_SIZE,
      continuationToken: options.continuationToken,
      resource: bucketCodec.resource,
      decode: (entity) => ({ value: bucketCodec.fromEntity(entity), etag: String(entity.etag) }),
    });
  }

  async addPending(entry: PendingBucket): Promise<void> {
    const entity = pendingToEntity(entry);
    try {
      await this.ensure(this.clients.pending, 'pending usage');
      await this.clients.pending.createEntity(entity as never);
    } catch (error) {
      const translated = translateTableError(error, { resource: 'Pending usage bucket', id: bucketId(entry) });
      if (!(translated instanceof AlreadyExistsError)) throw translated;
    }
  }

  listPending(options: ListPendingOptions): Promise<Page<PendingBucket>> {
    return readPage(this.clients.pending, {
      filter: () => odata`PartitionKey le ${hourKey(options.throughHour)}`,
      pageSize: options.pageSize,
      defaultPageSize: DEFAULT_BUCKET_PAGE_SIZE,
      continuationToken: options.continuationToken,
      resource: 'Pending usage buckets',
      decode: pendingFromEntity,
    });
  }

  async removePending(key: BucketKey): Promise<void> {
    const { partitionKey, rowKey } = pendingRowKeys(key);
    try {
      await this.ensure(this.clients.pending, 'pending usage');
      // An index row: removal is unconditional on purpose (whoever removes it, the bucket is final).
      await this.clients.pending.deleteEntity(partitionKey, rowKey, { etag: '*' });
    } catch (error) {
      if (isEntityNotFound(error)) return;
      throw translateTableError(error, { resource: 'Pending usage bucket', id: bucketId(key) });
    }
  }

  private async ensure(client: TableClient, what: string): Promise<void> {
    try {
      await ensureTable(client);
    } catch (error) {
      throw translateTableError(error, { resource: what, id: client.tableName });
    }
  }
}
