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
} from '../storage/entityCodec';
import { BUCKET_STATES, type BucketKey, type NewUsageRecord, type PendingBucket, type UsageBucket, type UsageRecord } from './model';
import { bucketRowKeys, pendingRowKeys } from './usageKeys';

export const USAGE_SCHEMA_VERSION = 1;

/** A Double column: numbers that happen to be whole must not be stored as Int32 (range, type drift). */
export interface DoubleValue {
  value: string;
  type: 'Double';
}

export function doubleColumn(value: number): DoubleValue {
  return { value: String(value), type: 'Double' };
}

/** Reads a Double back: the SDK returns a number; a raw `{ value, type }` is accepted too. */
const storedDouble = z.union([z.number(), z.bigint(), z.object({ value: z.union([z.string(), z.number()]) })]).transform((v) => {
  if (typeof v === 'object' && v !== null && 'value' in v) return Number(v.value);
  return Number(v);
});

const bucketKeySchema = {
  subscriptionId: z.string().min(1),
  dimension: z.string().min(1),
  hour: z.iso.datetime(),
};

const errorSchema = z.object({ code: z.string(), message: z.string(), at: z.string() });

const bucketSchema = z.object({
  ...bucketKeySchema,
  offerId: z.string().min(1),
  planId: z.string().min(1),
  state: z.enum(BUCKET_STATES),
  createdAt: z.string().min(1),
  updatedAt: z.string().min(1),
  attempts: z.number().int().nonnegative(),
  claim: z.object({ token: z.string().min(1), expiresAt: z.string().min(1) }).optional(),
  sentQuantity: z.number().finite().optional(),
  billedQuantity: z.number().finite().optional(),
  usageEventId: z.string().optional(),
  marketplaceStatus: z.string().optional(),
  messageTime: z.string().optional(),
  emittedAt: z.string().optional(),
  lastError: errorSchema.optional(),
});

const bucketEntitySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  schemaVersion: schemaVersionColumn(USAGE_SCHEMA_VERSION),
  dimension: z.string(),
  hour: timestampColumn,
  offerId: z.string(),
  planId: z.string(),
  state: z.enum(BUCKET_STATES),
  createdAt: timestampColumn,
  updatedAt: timestampColumn,
  attempts: integerColumn,
  claimToken: z.string().optional(),
  claimExpiresAt: timestampColumn.optional(),
  sentQuantity: storedDouble.optional(),
  billedQuantity: storedDouble.optional(),
  usageEventId: z.string().optional(),
  marketplaceStatus: z.string().optional(),
  messageTime: timestampColumn.optional(),
  emittedAt: timestampColumn.optional(),
  lastErrorJson: jsonColumn(errorSchema).optional(),
});

/** Bucket rows (PartitionKey = subscription id). The id is `<subscriptionId>|<dimension>|<hour>`. */
export const bucketCodec: Omit<EntityCodec<UsageBucket>, 'keyOf'> & { keyOf(key: BucketKey): { partitionKey: string; rowKey: string } } = {
  resource: 'Usage bucket',
  keyOf: bucketRowKeys,
  idOf: (bucket) => `${bucket.subscriptionId}|${bucket.dimension}|${bucket.hour}`,
  toEntity(value) {
    const bucket: UsageBucket = validateRecord(bucketSchema, value, 'usage bucket');
    const { subscriptionId: _s, claim, lastError, sentQuantity, billedQuantity, ...columns } = bucket;
    const row = finishEntity(
      {
        ...bucketRowKeys(bucket),
        schemaVersion: USAGE_SCHEMA_VERSION,
        ...columns,
        claimToken: claim?.token,
        claimExpiresAt: claim?.expiresAt,
        lastErrorJson: toJsonColumn(lastError),
      },
      `usage bucket ${bucketCodec.idOf(bucket)}`,
    );
    return withDoubles(row, { sentQuantity, billedQuantity });
  },
  fromEntity(entity) {
    const row = parseStoredEntity(bucketEntitySchema, entity, 'usage bucket');
    const { partitionKey, rowKey: _r, schemaVersion: _v, claimToken, claimExpiresAt, lastErrorJson, ...columns } = row;
    const claim = claimToken !== undefined && claimExpiresAt !== undefined ? { token: claimToken, expiresAt: claimExpiresAt } : undefined;
    return dropUndefined({ subscriptionId: partitionKey, ...columns, claim, lastError: lastErrorJson });
  },
};

/** Adds Double columns (undefined ones are left out) to a finished row. */
function withDoubles(row: TableRow, doubles: Record<string, number | undefined>): TableRow {
  const out: Record<string, unknown> = { ...row };
  for (const [name, value] of Object.entries(doubles)) if (value !== undefined) out[name] = doubleColumn(value);
  return out as TableRow;
}

const pendingEntitySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  schemaVersion: schemaVersionColumn(USAGE_SCHEMA_VERSION),
  subscriptionId: z.string(),
  dimension: z.string(),
  hour: timestampColumn,
  offerId: z.string(),
  planId: z.string(),
});

export function pendingToEntity(entry: PendingBucket): TableRow {
  validateRecord(z.object({ ...bucketKeySchema, offerId: z.string().min(1), planId: z.string().min(1) }), entry, 'pending usage bucket');
  return finishEntity(
    {
      ...pendingRowKeys(entry),
      schemaVersion: USAGE_SCHEMA_VERSION,
      subscriptionId: entry.subscriptionId,
      dimension: entry.dimension,
      hour: entry.hour,
      offerId: entry.offerId,
      planId: entry.planId,
    },
    'pending usage bucket',
  );
}

export function pendingFromEntity(entity: Record<string, unknown>): PendingBucket {
  const row = parseStoredEntity(pendingEntitySchema, entity, 'pending usage bucket');
  return { subscriptionId: row.subscriptionId, dimension: row.dimension, hour: row.hour, offerId: row.offerId, planId: row.planId };
}

const newRecordSchema = z.object({
  ...bucketKeySchema,
  recordId: z.string().min(1),
  callerId: z.string().min(1).optional(),
  quantity: z.number().finite().positive(),
  timestamp: z.string().min(1),
  receivedAt: z.string().min(1),
});

/** A record row; the keys come from the caller (partition of its shard, RowKey = record id). */
export function recordToEntity(record: NewUsageRecord, partitionKey: string, late: boolean): Record<string, unknown> {
  validateRecord(newRecordSchema, record, 'usage record');
  const row = finishEntity(
    {
      partitionKey,
      rowKey: record.recordId,
      schemaVersion: USAGE_SCHEMA_VERSION,
      callerId: record.callerId,
      // Not `timestamp`: that name is the service's own (last-modified) property.
      occurredAt: record.timestamp,
      receivedAt: record.receivedAt,
      late,
    },
    'usage record',
  );
  return withDoubles(row, { quantity: record.quantity });
}

const recordEntitySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  schemaVersion: schemaVersionColumn(USAGE_SCHEMA_VERSION),
  callerId: z.string().optional(),
  quantity: storedDouble,
  occurredAt: timestampColumn,
  receivedAt: timestampColumn,
  late: z.boolean(),
});

export function recordFromEntity(entity: Record<string, unknown>, key: BucketKey): UsageRecord {
  const row = parseStoredEntity(recordEntitySchema, entity, 'usage record');
  return dropUndefined({
    subscriptionId: key.subscriptionId,
    dimension: key.dimension,
    hour: key.hour,
    recordId: row.rowKey,
    callerId: row.callerId,
    quantity: row.quantity,
    timestamp: row.occurredAt,
    receivedAt: row.receivedAt,
    late: row.late,
  });
}

/** The quantity and lateness of a record row read with `select` (for sums). */
export const recordSumSchema = z.object({ quantity: storedDouble, late: z.boolean().optional() });
