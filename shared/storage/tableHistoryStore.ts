import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { odata } from '../lazySdk';
import type { Page } from './continuationToken';
import {
  ENTRY_ROW_END,
  ENTRY_ROW_PREFIX,
  historyEntryFromEntity,
  historyEntryToEntity,
  historyMarkerEntity,
  historyRowKey,
  historySuffix,
  TICKS_PER_MS,
} from './historyEntity';
import { DEFAULT_HISTORY_LIMIT, type AppendHistoryResult, type HistoryEntry, type HistoryStore, type ListHistoryOptions } from './historyStore';
import { ensureTable } from './storageSettings';
import { assertValidKey } from './tableKeys';
import { storageErrorCode, storageStatus, translateTableError } from './tableErrors';
import { readPage } from './tablePaging';

export interface TableHistoryStoreOptions {
  /** Unique suffix for entries without an idempotency key (default: a random UUID). */
  newId?: () => string;
}

/** HistoryStore on an Azure (or Azurite) table; see historyEntity.ts for the key design. */
export class TableHistoryStore implements HistoryStore {
  private sequence = 0;
  private readonly newId: () => string;

  constructor(
    private readonly client: TableClient,
    options: TableHistoryStoreOptions = {},
  ) {
    this.newId = options.newId ?? (() => randomUUID().replace(/-/g, ''));
  }

  async append(entry: HistoryEntry): Promise<AppendHistoryResult> {
    this.sequence = (this.sequence + 1) % TICKS_PER_MS;
    const row = historyEntryToEntity(entry, historyRowKey(entry.at, this.sequence, historySuffix(entry, this.newId)));
    const key = entry.idempotencyKey;
    try {
      await ensureTable(this.client);
      if (key === undefined) await this.client.createEntity(row);
      else await this.client.submitTransaction([['create', historyMarkerEntity({ ...entry, idempotencyKey: key }, row.rowKey)], ['create', row]]);
      return { appended: true };
    } catch (error) {
      // With a key, the marker is the only row that can already exist: the entry was written before.
      if (key !== undefined && storageStatus(error) === 409 && storageErrorCode(error) !== 'TableBeingDeleted') return { appended: false };
      throw translateTableError(error, { resource: 'History entry', id: `${entry.subscriptionId}/${row.rowKey}` });
    }
  }

  list(subscriptionId: string, options: ListHistoryOptions = {}): Promise<Page<HistoryEntry>> {
    return readPage(this.client, {
      filter: () =>
        odata`PartitionKey eq ${assertValidKey(subscriptionId, 'subscription id')} and RowKey ge ${ENTRY_ROW_PREFIX} and RowKey lt ${ENTRY_ROW_END}`,
      pageSize: options.limit,
      defaultPageSize: DEFAULT_HISTORY_LIMIT,
      continuationToken: options.continuationToken,
      resource: 'History',
      decode: historyEntryFromEntity,
    });
  }
}
