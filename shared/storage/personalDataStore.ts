import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { odata } from '../lazySdk';
import { ENTRY_ROW_END, ENTRY_ROW_PREFIX, historyEntryFromEntity, historyEntryToEntity } from './historyEntity';
import type { HistoryEntry } from './historyStore';
import { createTableClient, ensureTable, type StorageSettings } from './storageSettings';
import { SUBSCRIPTION_ROW_KEY } from './subscriptionEntity';
import { storageStatus, translateTableError } from './tableErrors';
import { assertValidKey } from './tableKeys';
import { tableName } from './tableNames';

/**
 * What retention needs beyond the ordinary stores: rewriting a subscription's history rows in
 * place (without personal data) and removing a subscription with everything kept under its id.
 * Every method is idempotent and safe to run twice at once: a row someone else rewrote or deleted
 * meanwhile (412, 404) is left to them.
 */
export interface PersonalDataStore {
  /** Rewrites the history rows that `scrub` changes (undefined = leave it); returns how many were rewritten. */
  scrubHistory(subscriptionId: string, scrub: (entry: HistoryEntry) => HistoryEntry | undefined): Promise<number>;
  /**
   * Deletes the subscription row if `etag` is still current (ConcurrencyConflictError otherwise; a
   * row already gone is fine), then its history partition and its operation rows.
   */
  removeSubscription(subscriptionId: string, etag: string): Promise<RemovedRows>;
}

export interface RemovedRows {
  historyRows: number;
  operations: number;
}

/** Entity-group transactions take at most 100 operations, all in one partition. */
const BATCH = 100;

export class TablePersonalDataStore implements PersonalDataStore {
  constructor(
    private readonly tables: { subscriptions: TableClient; history: TableClient; operations: TableClient },
  ) {}

  async scrubHistory(subscriptionId: string, scrub: (entry: HistoryEntry) => HistoryEntry | undefined): Promise<number> {
    const partition = assertValidKey(subscriptionId, 'subscription id');
    const client = this.tables.history;
    let rewritten = 0;
    try {
      await ensureTable(client);
      const rows = client.listEntities<TableEntity>({
        queryOptions: { filter: odata`PartitionKey eq ${partition} and RowKey ge ${ENTRY_ROW_PREFIX} and RowKey lt ${ENTRY_ROW_END}` },
      });
      for await (const row of rows) {
        const scrubbed = scrub(historyEntryFromEntity(row));
        if (scrubbed === undefined) continue;
        const entity = historyEntryToEntity(scrubbed, row.rowKey);
        if (await ignoringGone(() => client.updateEntity(entity, 'Replace', { etag: row.etag }))) rewritten += 1;
      }
      return rewritten;
    } catch (error) {
      throw translateTableError(error, { resource: 'History', id: subscriptionId });
    }
  }

  async removeSubscription(subscriptionId: string, etag: string): Promise<RemovedRows> {
    const partition = assertValidKey(subscriptionId, 'subscription id');
    try {
      await ensureTable(this.tables.subscriptions);
      await ignoringGone(() => this.tables.subscriptions.deleteEntity(partition, SUBSCRIPTION_ROW_KEY, { etag }), [404]);
      const operations = await this.deleteWhere(this.tables.operations, odata`subscriptionId eq ${partition}`);
      const historyRows = await this.deleteWhere(this.tables.history, odata`PartitionKey eq ${partition}`);
      return { historyRows, operations };
    } catch (error) {
      throw translateTableError(error, { resource: 'Subscription', id: subscriptionId });
    }
  }

  /** Deletes every row matching `filter`, in one transaction per partition and 100 rows; returns the count. */
  private async deleteWhere(client: TableClient, filter: string): Promise<number> {
    await ensureTable(client);
    const byPartition = new Map<string, string[]>();
    for await (const row of client.listEntities<TableEntity>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
      const keys = byPartition.get(row.partitionKey) ?? [];
      keys.push(row.rowKey);
      byPartition.set(row.partitionKey, keys);
    }
    let deleted = 0;
    for (const [partitionKey, rowKeys] of byPartition) {
      for (let i = 0; i < rowKeys.length; i += BATCH) {
        const slice = rowKeys.slice(i, i + BATCH);
        const actions: TransactionAction[] = slice.map((rowKey) => ['delete', { partitionKey, rowKey }]);
        // A row deleted meanwhile fails the whole transaction: then delete one by one.
        const batched = await ignoringGone(() => client.submitTransaction(actions), [404]);
        if (!batched) for (const rowKey of slice) await ignoringGone(() => client.deleteEntity(partitionKey, rowKey), [404]);
        deleted += slice.length;
      }
    }
    return deleted;
  }
}

/** Runs `write`; false when the row was changed or deleted by someone else meanwhile. */
async function ignoringGone(write: () => Promise<unknown>, statuses: readonly number[] = [404, 412]): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    const status = storageStatus(error);
    if (status !== undefined && statuses.includes(status)) return false;
    throw error;
  }
}

export function createPersonalDataStore(settings: StorageSettings): PersonalDataStore {
  const prefix = settings.tableNamePrefix ?? '';
  return new TablePersonalDataStore({
    subscriptions: createTableClient(settings, tableName('subscriptions', prefix)),
    history: createTableClient(settings, tableName('history', prefix)),
    operations: createTableClient(settings, tableName('operations', prefix)),
  });
}
