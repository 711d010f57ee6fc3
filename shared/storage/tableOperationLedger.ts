import type { TableClient } from '@azure/data-tables';
import { odata } from '../lazySdk';
import type { Versioned } from '../subscription/model';
import type { Page } from './continuationToken';
import { operationCodec, operationSettlementEntity } from './operationEntity';
import { DEFAULT_OPERATION_PAGE_SIZE, type ListOperationsOptions, type OperationLedger, type OperationLog, type OperationRecord, type OperationSettlement } from './operationLedger';
import { readPage } from './tablePaging';
import { VersionedTable } from './versionedTable';

/** The filter of `list`: each given option is a clause, joined with AND. */
export function operationFilter(options: ListOperationsOptions): string | undefined {
  const clauses: string[] = [];
  if (options.subscriptionId !== undefined) clauses.push(odata`subscriptionId eq ${options.subscriptionId}`);
  if (options.since !== undefined) clauses.push(odata`receivedAt ge ${options.since}`);
  if (options.failedOnly === true) clauses.push(`(state eq 'Failed' or state eq 'Rejected')`);
  return clauses.length > 0 ? clauses.join(' and ') : undefined;
}

/** OperationLedger on an Azure (or Azurite) table. */
export class TableOperationLedger implements OperationLedger, OperationLog {
  private readonly table: VersionedTable<OperationRecord>;

  constructor(private readonly client: TableClient) {
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

  async settle(operationId: string, changes: OperationSettlement, etag: string): Promise<string> {
    return this.table.merge(operationSettlementEntity(operationId, changes), etag);
  }

  list(options: ListOperationsOptions = {}): Promise<Page<OperationRecord>> {
    return readPage(this.client, {
      filter: () => operationFilter(options),
      pageSize: options.pageSize,
      defaultPageSize: DEFAULT_OPERATION_PAGE_SIZE,
      continuationToken: options.continuationToken,
      resource: operationCodec.resource,
      decode: (entity) => operationCodec.fromEntity(entity),
    });
  }
}
