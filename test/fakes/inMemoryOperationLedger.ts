import { operationCodec } from '../../shared/storage/operationEntity';
import type { OperationLedger, OperationRecord } from '../../shared/storage/operationLedger';
import type { Versioned } from '../../shared/subscription/model';
import { InMemoryTable, InMemoryVersionedTable } from './inMemoryTable';

/** OperationLedger in memory with the Table adapter's semantics (same codec, ETags, create-once). */
export class InMemoryOperationLedger implements OperationLedger {
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
}
