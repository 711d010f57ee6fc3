import { z } from 'zod';
import { ValidationError } from '../errors';
import { dropUndefined, finishEntity, jsonColumn, parseStoredEntity, schemaVersionColumn, timestampColumn, validateRecord, type TableRow } from './entityCodec';
import type { HistoryEntry } from './historyStore';
import { assertValidKey, keyDigest } from './tableKeys';

/**
 * History table: PartitionKey = subscription id, so one subscription's history is one partition.
 * Entry rows: RowKey `e_<inverted ticks, 19 digits>_<suffix>`, so ascending RowKey order is newest
 * first. Marker rows: RowKey `k_<digest of idempotency key>`, inserted in the same entity-group
 * transaction as the entry, so an entry with a given key is written at most once.
 */
export const HISTORY_SCHEMA_VERSION = 1;
export const ENTRY_ROW_PREFIX = 'e_';
/** The first string after every `e_…` row key (`` ` `` follows `_`): the exclusive upper bound of a range query. */
export const ENTRY_ROW_END = 'e`';
const MARKER_ROW_PREFIX = 'k_';

/** .NET ticks (100 ns since 0001-01-01) of DateTime.MaxValue, and of the Unix epoch. */
const MAX_TICKS = 3_155_378_975_999_999_999n;
const EPOCH_TICKS = 621_355_968_000_000_000n;
/** Sub-millisecond slots used to order entries that share a millisecond. */
export const TICKS_PER_MS = 10_000;

/**
 * The entry RowKey for `at`. `sequence` (0–9,999) orders entries within one millisecond: a higher
 * sequence sorts first (it is newer). `suffix` makes the key unique.
 */
export function historyRowKey(at: string, sequence: number, suffix: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new ValidationError('Invalid history entry', [`at: "${at}" is not a timestamp`]);
  const ticks = BigInt(ms) * BigInt(TICKS_PER_MS) + EPOCH_TICKS + BigInt(sequence % TICKS_PER_MS);
  if (ticks < 0n || ticks > MAX_TICKS) throw new ValidationError('Invalid history entry', [`at: "${at}" is out of range`]);
  return `${ENTRY_ROW_PREFIX}${(MAX_TICKS - ticks).toString().padStart(19, '0')}_${suffix}`;
}

export function historyMarkerRowKey(idempotencyKey: string): string {
  return `${MARKER_ROW_PREFIX}${keyDigest(idempotencyKey)}`;
}

/** The entry's unique suffix: derived from the idempotency key when there is one. */
export function historySuffix(entry: HistoryEntry, newId: () => string): string {
  return entry.idempotencyKey === undefined ? newId() : keyDigest(entry.idempotencyKey);
}

function jsonText(value: unknown, field: string): string | undefined {
  try {
    return value === undefined ? undefined : JSON.stringify(value);
  } catch (error) {
    throw new ValidationError('Invalid history entry', [`${field}: not serialisable as JSON`], { cause: error });
  }
}

const entrySchema = z.object({
  subscriptionId: z.string().min(1),
  at: z.string().min(1),
  kind: z.string().min(1),
  operationId: z.string().optional(),
  detail: z.string().optional(),
  idempotencyKey: z.string().min(1).optional(),
});

export function historyEntryToEntity(entry: HistoryEntry, rowKey: string): TableRow {
  validateRecord(entrySchema, entry, 'history entry');
  return finishEntity(
    {
      partitionKey: assertValidKey(entry.subscriptionId, 'subscription id'),
      rowKey,
      schemaVersion: HISTORY_SCHEMA_VERSION,
      at: entry.at,
      kind: entry.kind,
      operationId: entry.operationId,
      fromJson: jsonText(entry.from, 'from'),
      toJson: jsonText(entry.to, 'to'),
      detail: entry.detail,
      idempotencyKey: entry.idempotencyKey,
    },
    `history entry for ${entry.subscriptionId}`,
  );
}

/** The marker that claims an idempotency key; it points at the entry it was written with. */
export function historyMarkerEntity(entry: HistoryEntry & { idempotencyKey: string }, entryRowKey: string): TableRow {
  return finishEntity(
    {
      partitionKey: assertValidKey(entry.subscriptionId, 'subscription id'),
      rowKey: historyMarkerRowKey(entry.idempotencyKey),
      schemaVersion: HISTORY_SCHEMA_VERSION,
      entryRowKey,
      idempotencyKey: entry.idempotencyKey,
    },
    `history marker for ${entry.subscriptionId}`,
  );
}

const storedEntrySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string().startsWith(ENTRY_ROW_PREFIX),
  schemaVersion: schemaVersionColumn(HISTORY_SCHEMA_VERSION),
  at: timestampColumn,
  kind: z.string(),
  operationId: z.string().optional(),
  fromJson: jsonColumn(z.unknown()).optional(),
  toJson: jsonColumn(z.unknown()).optional(),
  detail: z.string().optional(),
  idempotencyKey: z.string().optional(),
});

export function historyEntryFromEntity(entity: Record<string, unknown>): HistoryEntry {
  const row = parseStoredEntity(storedEntrySchema, entity, 'history entry');
  return dropUndefined({
    subscriptionId: row.partitionKey,
    at: row.at,
    kind: row.kind,
    operationId: row.operationId,
    from: row.fromJson,
    to: row.toJson,
    detail: row.detail,
    idempotencyKey: row.idempotencyKey,
  });
}
