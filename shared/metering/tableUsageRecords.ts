import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../lazySdk';
import { systemClock, type Clock } from '../clock';
import { DependencyUnavailableError } from '../errors';
import { assertConditionalEtag } from '../storage/entityCodec';
import { ensureTable } from '../storage/storageSettings';
import { isEntityNotFound } from '../storage/versionedTable';
import { storageStatus, translateTableError } from '../storage/tableErrors';
import type { AppendMode, AppendOutcome, BucketKey, BucketTotals, NewUsageRecord, UsageRecord } from './model';
import { sealRowWrite, SEAL_ATTEMPTS, type SealRowWrite, type SealState } from './sealProtocol';
import { BucketTotalsSum } from './quantity';
import { recordFromEntity, recordSumSchema, recordToEntity } from './usageEntities';
import { bucketId, recordPartition, recordPartitions, SEAL_ROW_KEY, shardOf } from './usageKeys';
import type { UsageStore } from './usageStore';

/**
 * The record side of the usage store on an Azure (or Azurite) table: sharded append-only rows,
 * the seal protocol of sealProtocol.ts, and the sums.
 */
export class TableUsageRecords implements Pick<UsageStore, 'appendRecords' | 'sealBucket' | 'sumBucket'> {
  private readonly clock: Clock;
  private readonly deadlines = new Map<number, AbortController>();

  constructor(
    private readonly client: TableClient,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async appendRecords(records: readonly NewUsageRecord[], mode: AppendMode): Promise<AppendOutcome[]> {
    const first = records[0];
    if (first === undefined) return [];
    if (records.some((r) => bucketId(r) !== bucketId(first))) throw new TypeError('appendRecords takes the records of one bucket');
    await this.ensure();
    const outcomes = new Array<AppendOutcome>(records.length);
    const shards = new Map<number, number[]>();
    records.forEach((record, index) => {
      const shard = shardOf(record.recordId);
      shards.set(shard, [...(shards.get(shard) ?? []), index]);
    });
    await Promise.all(
      [...shards].map(async ([shard, indexes]) => {
        const partition = recordPartition(first, shard);
        const group = indexes.map((i) => records[i] as NewUsageRecord);
        const results = mode.path === 'open' ? await this.appendOpen(partition, group, mode.deadline) : await this.appendClosed(partition, group);
        results.forEach((outcome, j) => (outcomes[indexes[j] as number] = outcome));
      }),
    );
    return outcomes;
  }

  /** One abort signal (and one timer) per deadline, i.e. per hour, shared by every write of that hour. */
  private deadlineSignal(deadline: Date): AbortSignal {
    const at = deadline.getTime();
    let controller = this.deadlines.get(at);
    if (controller === undefined) {
      const created = new AbortController();
      this.deadlines.set(at, created);
      const timer = setTimeout(() => {
        created.abort();
        this.deadlines.delete(at);
      }, at - this.clock.now().getTime());
      timer.unref();
      controller = created;
    }
    return controller.signal;
  }

  /** Open hour: plain inserts, transactions of up to 100, every attempt started before the deadline. */
  private async appendOpen(partition: string, records: NewUsageRecord[], deadline: Date): Promise<AppendOutcome[]> {
    const signal = (): AbortSignal => {
      if (deadline.getTime() <= this.clock.now().getTime()) {
        throw new DependencyUnavailableError('table-storage', 'The write deadline of this hour has passed; retry with the same ids', { details: { retryAfterSeconds: 1 } });
      }
      return this.deadlineSignal(deadline);
    };
    const out: AppendOutcome[] = [];
    for (let start = 0; start < records.length; start += 100) {
      const chunk = records.slice(start, start + 100);
      const actions: TransactionAction[] = chunk.map((r) => ['create', recordToEntity(r, partition, false) as never]);
      if (await this.tryTransaction(partition, actions, signal())) {
        out.push(...chunk.map((): AppendOutcome => ({ status: 'stored', late: false })));
        continue;
      }
      for (const record of chunk) out.push(await this.createOne(partition, record, false, signal));
    }
    return out;
  }

  /** Closed hour: each transaction carries the seal row, so a write either precedes the seal or is late. */
  private async appendClosed(partition: string, records: NewUsageRecord[]): Promise<AppendOutcome[]> {
    const out: AppendOutcome[] = [];
    for (let start = 0; start < records.length; start += 99) {
      const chunk = records.slice(start, start + 99);
      const seal = await this.readSeal(partition);
      const late = seal.kind === 'sealed';
      const writes = sealRowWrite(seal, this.clock.now().toISOString());
      const actions: TransactionAction[] = [
        ...(writes === undefined ? [] : [transactionAction(partition, writes)]),
        ...chunk.map((r): TransactionAction => ['create', recordToEntity(r, partition, late) as never]),
      ];
      if (await this.tryTransaction(partition, actions)) {
        out.push(...chunk.map((): AppendOutcome => ({ status: 'stored', late })));
        continue;
      }
      for (const record of chunk) out.push(await this.appendClosedOne(partition, record));
    }
    return out;
  }

  private async appendClosedOne(partition: string, record: NewUsageRecord): Promise<AppendOutcome> {
    for (let attempt = 1; attempt <= SEAL_ATTEMPTS; attempt += 1) {
      const seal = await this.readSeal(partition);
      if (seal.kind === 'sealed') return this.createOne(partition, record, true);
      const writes = sealRowWrite(seal, this.clock.now().toISOString());
      const actions: TransactionAction[] = [
        ...(writes === undefined ? [] : [transactionAction(partition, writes)]),
        ['create', recordToEntity(record, partition, false) as never],
      ];
      if (await this.tryTransaction(partition, actions)) return { status: 'stored', late: false };
      const existing = await this.readRecord(partition, record);
      if (existing !== undefined) return { status: 'duplicate', existing };
    }
    throw new DependencyUnavailableError('table-storage', `Usage bucket ${bucketId(record)} is busy; retry with the same ids`, { details: { retryAfterSeconds: 1 } });
  }

  private async createOne(partition: string, record: NewUsageRecord, late: boolean, signal?: () => AbortSignal): Promise<AppendOutcome> {
    try {
      await this.client.createEntity(recordToEntity(record, partition, late) as never, { abortSignal: signal?.() });
      return { status: 'stored', late };
    } catch (error) {
      if (storageStatus(error) !== 409) throw translateWriteError(error, `${partition}/${record.recordId}`);
    }
    const existing = await this.readRecord(partition, record);
    if (existing === undefined) throw new DependencyUnavailableError('table-storage', `Usage record ${record.recordId} conflicted but cannot be read`);
    return { status: 'duplicate', existing };
  }

  /** True when committed; false on 409 / 412 (something in it already exists or changed). */
  private async tryTransaction(partition: string, actions: TransactionAction[], abortSignal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.submitTransaction(actions, { abortSignal });
      return true;
    } catch (error) {
      const status = storageStatus(error);
      if (status === 409 || status === 412) return false;
      throw translateWriteError(error, partition);
    }
  }

  private async readRecord(partition: string, record: NewUsageRecord): Promise<UsageRecord | undefined> {
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(partition, record.recordId);
      return recordFromEntity(entity, record);
    } catch (error) {
      if (isEntityNotFound(error)) return undefined;
      throw translateTableError(error, { resource: 'Usage record', id: `${partition}/${record.recordId}` });
    }
  }

  private async readSeal(partition: string): Promise<SealState> {
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(partition, SEAL_ROW_KEY);
      const etag = String(entity.etag);
      return entity.sealed === true ? { kind: 'sealed', etag } : { kind: 'open', etag, writes: Number(entity.writes ?? 0) };
    } catch (error) {
      if (isEntityNotFound(error)) return { kind: 'missing' };
      throw translateTableError(error, { resource: 'Usage seal', id: partition });
    }
  }

  async sealBucket(key: BucketKey): Promise<void> {
    await this.ensure();
    await Promise.all(recordPartitions(key).map((partition) => this.sealPartition(partition)));
  }

  private async sealPartition(partition: string): Promise<void> {
    const at = this.clock.now().toISOString();
    for (let attempt = 1; attempt <= SEAL_ATTEMPTS; attempt += 1) {
      const seal = await this.readSeal(partition);
      if (seal.kind === 'sealed') return;
      const row = { partitionKey: partition, rowKey: SEAL_ROW_KEY, sealed: true, sealedAt: at };
      try {
        if (seal.kind === 'missing') await this.client.createEntity({ ...row, writes: 0 });
        else await this.client.updateEntity(row, 'Merge', { etag: assertConditionalEtag(seal.etag) });
        return;
      } catch (error) {
        const status = storageStatus(error);
        if (status !== 409 && status !== 412) throw translateTableError(error, { resource: 'Usage seal', id: partition });
      }
    }
    throw new DependencyUnavailableError('table-storage', `Could not seal ${partition}: too many concurrent writes`);
  }

  async sumBucket(key: BucketKey): Promise<BucketTotals> {
    await this.ensure();
    const totals = new BucketTotalsSum();
    await Promise.all(recordPartitions(key).map((partition) => this.sumPartition(partition, totals)));
    return totals.totals();
  }

  private async sumPartition(partition: string, totals: BucketTotalsSum): Promise<void> {
    const rows = this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${partition} and RowKey lt ${SEAL_ROW_KEY}`, select: ['quantity', 'late'] },
    });
    try {
      for await (const entity of rows) totals.add(recordSumSchema.parse(entity));
    } catch (error) {
      throw translateTableError(error, { resource: 'Usage records', id: partition });
    }
  }

  private async ensure(): Promise<void> {
    try {
      await ensureTable(this.client);
    } catch (error) {
      throw translateTableError(error, { resource: 'Usage records', id: this.client.tableName });
    }
  }
}

/** An open-hour write aborted at its deadline may still commit within the service's timeout: retry with the same ids. */
function translateWriteError(error: unknown, id: string): unknown {
  if (error instanceof Error && error.name === 'AbortError') {
    return new DependencyUnavailableError('table-storage', 'The write deadline of this hour has passed; retry with the same ids', { cause: error, details: { retryAfterSeconds: 1 } });
  }
  return translateTableError(error, { resource: 'Usage records', id });
}

function transactionAction(partition: string, writes: SealRowWrite): TransactionAction {
  const row = { partitionKey: partition, rowKey: SEAL_ROW_KEY, ...writes.columns };
  return writes.kind === 'create' ? ['create', row] : ['update', row, 'Merge', { etag: assertConditionalEtag(writes.etag) }];
}
