import { randomUUID } from 'node:crypto';
import { AlreadyExistsError } from '../../shared/errors';
import { checkPageSize, decodeContinuationToken, encodeContinuationToken, type Page } from '../../shared/storage/continuationToken';
import {
  ENTRY_ROW_END,
  ENTRY_ROW_PREFIX,
  historyEntryFromEntity,
  historyEntryToEntity,
  historyMarkerEntity,
  historyRowKey,
  historySuffix,
  TICKS_PER_MS,
} from '../../shared/storage/historyEntity';
import {
  DEFAULT_HISTORY_LIMIT,
  type AppendHistoryResult,
  type HistoryEntry,
  type HistoryStore,
  type ListHistoryOptions,
} from '../../shared/storage/historyStore';
import { assertValidKey } from '../../shared/storage/tableKeys';
import { InMemoryTable } from './inMemoryTable';

/** HistoryStore in memory with the Table adapter's keys: newest first, idempotent by key. */
export class InMemoryHistoryStore implements HistoryStore {
  private readonly table = new InMemoryTable();
  private sequence = 0;
  private readonly newId: () => string;

  constructor(options: { newId?: () => string } = {}) {
    this.newId = options.newId ?? (() => randomUUID().replace(/-/g, ''));
  }

  async append(entry: HistoryEntry): Promise<AppendHistoryResult> {
    await Promise.resolve();
    this.sequence = (this.sequence + 1) % TICKS_PER_MS;
    const row = historyEntryToEntity(entry, historyRowKey(entry.at, this.sequence, historySuffix(entry, this.newId)));
    const key = entry.idempotencyKey;
    const context = { resource: 'History entry', id: `${entry.subscriptionId}/${row.rowKey}` };
    try {
      if (key === undefined) this.table.insert(row, context);
      else this.table.insertAll([historyMarkerEntity({ ...entry, idempotencyKey: key }, row.rowKey), row], context);
      return { appended: true };
    } catch (error) {
      if (key !== undefined && error instanceof AlreadyExistsError) return { appended: false };
      throw error;
    }
  }

  async list(subscriptionId: string, options: ListHistoryOptions = {}): Promise<Page<HistoryEntry>> {
    await Promise.resolve();
    assertValidKey(subscriptionId, 'subscription id');
    const pageSize = checkPageSize(options.limit, DEFAULT_HISTORY_LIMIT);
    const position = options.continuationToken === undefined ? undefined : decodeContinuationToken(options.continuationToken);
    const { rows, next } = this.table.page(
      (row) => row.partitionKey === subscriptionId && row.rowKey >= ENTRY_ROW_PREFIX && row.rowKey < ENTRY_ROW_END,
      pageSize,
      position,
    );
    const items = rows.map(({ row }) => historyEntryFromEntity(row));
    return next === undefined ? { items } : { items, continuationToken: encodeContinuationToken(next) };
  }
}
