import { z } from 'zod';
import {
  dropUndefined,
  finishEntity,
  integerColumn,
  jsonColumn,
  parseStoredEntity,
  schemaVersionColumn,
  timestampColumn,
  toJsonColumn,
  validateRecord,
  type EntityCodec,
  type TableRow,
} from './entityCodec';
import { MAX_OPERATION_PAYLOAD_LENGTH, OPERATION_STATES, type OperationRecord, type OperationSettlement } from './operationLedger';
import { assertValidKey } from './tableKeys';

/**
 * Operations table: PartitionKey = operation id (so the id alone is a point read), RowKey = the
 * constant below. Every column is flat except `lastErrorJson`.
 */
export const OPERATION_ROW_KEY = 'operation';
export const OPERATION_SCHEMA_VERSION = 1;

const lastErrorSchema = z.object({ code: z.string(), message: z.string(), at: z.string() });

const operationSchema = z.object({
  id: z.string().min(1),
  subscriptionId: z.string().min(1),
  action: z.string().min(1),
  source: z.string().optional(),
  state: z.enum(OPERATION_STATES),
  marketplaceStatus: z.string().optional(),
  planId: z.string().optional(),
  quantity: z.number().int().nonnegative().optional(),
  receivedAt: z.string().min(1),
  updatedAt: z.string().min(1),
  attempts: z.number().int().nonnegative(),
  lastError: lastErrorSchema.optional(),
  payload: z.string().max(MAX_OPERATION_PAYLOAD_LENGTH).optional(),
});

const operationEntitySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.literal(OPERATION_ROW_KEY),
  schemaVersion: schemaVersionColumn(OPERATION_SCHEMA_VERSION),
  subscriptionId: z.string(),
  action: z.string(),
  source: z.string().optional(),
  state: z.enum(OPERATION_STATES),
  marketplaceStatus: z.string().optional(),
  planId: z.string().optional(),
  quantity: integerColumn.optional(),
  receivedAt: timestampColumn,
  updatedAt: timestampColumn,
  attempts: integerColumn,
  lastErrorJson: jsonColumn(lastErrorSchema).optional(),
  payload: z.string().optional(),
});

export const operationCodec: EntityCodec<OperationRecord> = {
  resource: 'Operation',
  keyOf: (id) => ({ partitionKey: assertValidKey(id, 'operation id'), rowKey: OPERATION_ROW_KEY }),
  idOf: (operation) => operation.id,
  toEntity(value) {
    const operation: OperationRecord = validateRecord(operationSchema, value, 'operation');
    const { id, lastError, ...columns } = operation;
    assertValidKey(operation.subscriptionId, 'subscription id');
    return finishEntity(
      { ...operationCodec.keyOf(id), schemaVersion: OPERATION_SCHEMA_VERSION, ...columns, lastErrorJson: toJsonColumn(lastError) },
      `operation ${id}`,
    );
  },
  fromEntity(entity) {
    const row = parseStoredEntity(operationEntitySchema, entity, 'operation');
    const { partitionKey, rowKey: _rowKey, schemaVersion: _schemaVersion, lastErrorJson, ...columns } = row;
    const operation: OperationRecord = { id: partitionKey, ...columns, lastError: lastErrorJson };
    return dropUndefined(operation);
  },
};

const settlementSchema = operationSchema.pick({ state: true, marketplaceStatus: true, updatedAt: true, attempts: true, lastError: true }).partial();

/** The row (keys and the columns given) that merges `changes` into an operation's row. */
export function operationSettlementEntity(operationId: string, changes: OperationSettlement): TableRow {
  const { lastError, ...columns } = validateRecord(settlementSchema, changes, 'operation settlement');
  return finishEntity({ ...operationCodec.keyOf(operationId), ...columns, lastErrorJson: toJsonColumn(lastError) }, `operation ${operationId}`);
}
