import { operationCodec, operationSettlementEntity } from '../../shared/storage/operationEntity';
import { checkPageSize, decodeContinuationToken, encodeContinuationToken, type Page } from '../../shared/storage/continuationToken';
import { DEFAULT_OPERATION_PAGE_SIZE, type ListOperationsOptions, type OperationLedger, type OperationLog, type OperationRecord, type OperationSettlement } from '../../shared/storage/operationLedger';
import type { Versioned } from '../../shared/subscription/model';
import { InMemoryTable, InMemoryVersionedTable } from './inMemoryTable';

/** OperationLedger in memory with the Table adapter's semantics (same codec, ETags, create-once). */
export class InMemoryOperationLedger implements OperationLedger, OperationLog {
  private readonly table = new InMemoryVersionedTable(new InMemoryTable(), operationCodec);

  async create(operation: OperationRecord): Promise<Versioned<OperationRecord>> {
    await Promise.resolve();
    return this.table.create(operation);
  }

  async get(operationId: string): Promise<Versioned<OperationRecord> | undefined> {
    await Promise.resolve();
    return this.table.get(operationId);
  }

  async update(operation: OperationRecord, etag: string): Promise<Versioned<OperationRecord>> {
    await Promise.resolve();
    return this.table.update(operation, etag);
  }

  async settle(operationId: string, changes: OperationSettlement, etag: string): Promise<string> {
    await Promise.resolve();
    return this.table.merge(operationSettlementEntity(operationId, changes), etag);
  }

  async list(options: ListOperationsOptions = {}): Promise<Page<OperationRecord>> {
    await Promise.resolve();
    const pageSize = checkPageSize(options.pageSize, DEFAULT_OPERATION_PAGE_SIZE);
    const position = options.continuationToken === undefined ? undefined : decodeContinuationToken(options.continuationToken);
    const matches = (row: OperationRecord): boolean =>
      (options.subscriptionId === undefined || row.subscriptionId === options.subscriptionId) &&
      (options.since === undefined || Date.parse(row.receivedAt) >= options.since.getTime()) &&
      (options.failedOnly !== true || row.state === 'Failed' || row.state === 'Rejected');
    const { rows, next } = this.table.table.page((row) => matches(operationCodec.fromEntity(row)), pageSize, position);
    const items = rows.map(({ row }) => operationCodec.fromEntity(row));
    return next === undefined ? { items } : { items, continuationToken: encodeContinuationToken(next) };
  }
}
