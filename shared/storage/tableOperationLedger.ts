import type { TableClient } from '@azure/data-tables';
import type { Versioned } from '../subscription/model';
import { operationCodec } from './operationEntity';
import type { OperationLedger, OperationRecord } from './operationLedger';
import { VersionedTable } from './versionedTable';

/** OperationLedger on an Azure (or Azurite) table. */
export class TableOperationLedger implements OperationLedger {
  private readonly table: VersionedTable<OperationRecord>;

  constructor(client: TableClient) {
    this.table = new VersionedTable(client, operationCodec);
  }

  create(operation: OperationRecord): Promise<Versioned<OperationRecord>> {
    return this.table.create(operation);
  }

  get(operationId: string): Promise<Versioned<OperationRecord> | undefined> {
    return this.table.get(operationId);
  }

  update(operation: OperationRecord, etag: string): Promise<Versioned<OperationRecord>> {
    return this.table.update(operation, etag);
  }
}
