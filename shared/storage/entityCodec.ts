import { z } from 'zod';
import { ServiceError, ValidationError } from '../errors';
import { assertEntityWithinLimits } from './entityLimits';

/** A property value Table Storage accepts (nested objects are JSON-stringified first). */
export type EntityValue = string | number | boolean | bigint | Date | undefined;
export type TableRow = { partitionKey: string; rowKey: string } & Record<string, EntityValue>;

/** Maps a record type to table rows and back; the same codec serves the Azure adapter and the fakes. */
export interface EntityCodec<T> {
  /** Human name used in errors, e.g. `Subscription`. */
  readonly resource: string;
  /** The keys of the row holding the record with this id (validated). */
  keyOf(id: string): { partitionKey: string; rowKey: string };
  idOf(value: T): string;
  /** Validates `value` (ValidationError) and builds the row, within the size limits. */
  toEntity(value: T): TableRow;
  /** Parses a stored row; a row that does not fit the schema is a StoredEntityInvalid error. */
  fromEntity(entity: Record<string, unknown>): T;
}

/** Returned by the SDK alongside the properties; never part of the record. */
const METADATA_KEYS = ['odata.metadata', 'etag', 'timestamp'];

/** An Int32 column reads back as number, an Int64 column as bigint: accept both, return number. */
export const integerColumn = z.union([z.number().int(), z.bigint()]).transform((value) => Number(value));

/** ISO timestamps are stored as strings; a DateTime column (Date) is accepted too. */
export const timestampColumn = z.union([z.string(), z.date()]).transform((value) => (typeof value === 'string' ? value : value.toISOString()));

/** A string column holding JSON that must match `schema`. */
export function jsonColumn<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** JSON text for a nested value, or undefined when there is nothing to store. */
export function toJsonColumn(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

/** Validates a record before it is written; ValidationError lists every problem. */
export function validateRecord<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`Invalid ${what}`, describeIssues(result.error));
  return result.data;
}

/** Parses a stored row with `schema` after dropping the SDK's metadata keys. */
export function parseStoredEntity<S extends z.ZodType>(schema: S, entity: Record<string, unknown>, what: string): z.output<S> {
  const properties = Object.fromEntries(Object.entries(entity).filter(([key]) => !METADATA_KEYS.includes(key)));
  const result = schema.safeParse(properties);
  if (!result.success) {
    throw new ServiceError('StoredEntityInvalid', `A stored ${what} does not match the expected schema`, {
      details: { partitionKey: entity.partitionKey, rowKey: entity.rowKey, issues: describeIssues(result.error) },
    });
  }
  return result.data;
}

/**
 * Drops undefined properties (a Replace write then removes the column) and checks the size limits.
 * Refuses columns that the service or the SDK reserve: they would be dropped on read.
 */
export function finishEntity(row: TableRow, what: string): TableRow {
  const reserved = Object.keys(row).filter((key) => METADATA_KEYS.includes(key.toLowerCase()));
  if (reserved.length > 0) throw new TypeError(`${what}: column name(s) ${reserved.join(', ')} are reserved by Table Storage`);
  const compact = Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined)) as TableRow;
  assertEntityWithinLimits(compact, what);
  return compact;
}

/** Refuses rows written by a newer version of the app (they may hold columns we would drop on replace). */
export function schemaVersionColumn(supported: number) {
  return integerColumn.refine((version) => version <= supported, {
    message: `written by a newer schema version than ${supported}; upgrade the app before touching it`,
  });
}

/** Guards against an "unconditional" write: an etag must be a real one, never missing or `*`. */
export function assertConditionalEtag(etag: string): string {
  if (typeof etag !== 'string' || etag.trim() === '' || etag.trim() === '*') {
    throw new TypeError('A conditional write needs the ETag that was read; "*" or an empty ETag is not allowed');
  }
  return etag;
}

/** Optional fields that are absent come back absent, not as `undefined` keys. */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
