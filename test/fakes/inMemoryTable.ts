import { AlreadyExistsError, ConcurrencyConflictError, NotFoundError } from '../../shared/errors';
import type { Versioned } from '../../shared/subscription/model';
import { assertConditionalEtag, type EntityCodec, type TableRow } from '../../shared/storage/entityCodec';
import type { TablePosition } from '../../shared/storage/continuationToken';

interface StoredRow {
  row: TableRow;
  etag: string;
}

let etagCounter = 0;
/** A fresh ETag for every write, across all fakes (so an old ETag never matches again). */
function nextEtag(): string {
  etagCounter += 1;
  return `W/"inmemory-${etagCounter}"`;
}

function keyOf(partitionKey: string, rowKey: string): string {
  return `${partitionKey}\u0000${rowKey}`;
}

function compareRows(a: TableRow, b: TableRow): number {
  if (a.partitionKey !== b.partitionKey) return a.partitionKey < b.partitionKey ? -1 : 1;
  if (a.rowKey !== b.rowKey) return a.rowKey < b.rowKey ? -1 : 1;
  return 0;
}

function isAtOrAfter(row: TableRow, position: TablePosition): boolean {
  if (row.partitionKey !== position.nextPartitionKey) return row.partitionKey > position.nextPartitionKey;
  return row.rowKey >= (position.nextRowKey ?? '');
}

export interface ErrorContext {
  resource: string;
  id: string;
}

/**
 * A table in memory with the service's semantics: rows ordered by PartitionKey then RowKey,
 * conditional insert, ETag-conditional replace, all-or-nothing batch insert, and paging that
 * resumes from a (PartitionKey, RowKey) position. Rows are copied in and out.
 */
export class InMemoryTable {
  private readonly rows = new Map<string, StoredRow>();

  insert(row: TableRow, context: ErrorContext): string {
    this.insertAll([row], context);
    return this.read(row.partitionKey, row.rowKey)?.etag ?? '';
  }

  /** Like an entity-group transaction of creates: nothing is written if any row exists. */
  insertAll(rows: TableRow[], context: ErrorContext): void {
    if (rows.some((row) => this.rows.has(keyOf(row.partitionKey, row.rowKey)))) {
      throw new AlreadyExistsError(context.resource, context.id);
    }
    for (const row of rows) this.rows.set(keyOf(row.partitionKey, row.rowKey), { row: { ...row }, etag: nextEtag() });
  }

  read(partitionKey: string, rowKey: string): StoredRow | undefined {
    const stored = this.rows.get(keyOf(partitionKey, rowKey));
    return stored === undefined ? undefined : { row: { ...stored.row }, etag: stored.etag };
  }

  replace(row: TableRow, etag: string, context: ErrorContext): string {
    const key = keyOf(row.partitionKey, row.rowKey);
    const stored = this.rows.get(key);
    if (stored === undefined) throw new NotFoundError(context.resource, context.id);
    if (stored.etag !== etag) throw new ConcurrencyConflictError(context.resource, context.id);
    const next = { row: { ...row }, etag: nextEtag() };
    this.rows.set(key, next);
    return next.etag;
  }

  /** ETag-conditional delete (`etag` undefined: unconditional, as inside an SDK transaction). */
  delete(partitionKey: string, rowKey: string, etag: string | undefined, context: ErrorContext): void {
    const key = keyOf(partitionKey, rowKey);
    const stored = this.rows.get(key);
    if (stored === undefined) throw new NotFoundError(context.resource, context.id);
    if (etag !== undefined && stored.etag !== etag) throw new ConcurrencyConflictError(context.resource, context.id);
    this.rows.delete(key);
  }

  /** Up to `pageSize` matching rows from `position` on, and the position of the next match if any. */
  page(matches: (row: TableRow) => boolean, pageSize: number, position?: TablePosition): { rows: StoredRow[]; next?: TablePosition } {
    const sorted = [...this.rows.values()]
      .filter(({ row }) => (position === undefined || isAtOrAfter(row, position)) && matches(row))
      .sort((a, b) => compareRows(a.row, b.row));
    const rows = sorted.slice(0, pageSize).map(({ row, etag }) => ({ row: { ...row }, etag }));
    const following = sorted[pageSize];
    return following === undefined
      ? { rows }
      : { rows, next: { nextPartitionKey: following.row.partitionKey, nextRowKey: following.row.rowKey } };
  }
}

/** Create / get / conditional update through an EntityCodec: the fake twin of VersionedTable. */
export class InMemoryVersionedTable<T> {
  constructor(
    readonly table: InMemoryTable,
    private readonly codec: EntityCodec<T>,
  ) {}

  create(value: T): Versioned<T> {
    const row = this.codec.toEntity(value);
    const etag = this.table.insert(row, { resource: this.codec.resource, id: this.codec.idOf(value) });
    return { value: this.codec.fromEntity(row), etag };
  }

  get(id: string): Versioned<T> | undefined {
    const { partitionKey, rowKey } = this.codec.keyOf(id);
    const stored = this.table.read(partitionKey, rowKey);
    return stored === undefined ? undefined : { value: this.codec.fromEntity(stored.row), etag: stored.etag };
  }

  update(value: T, etag: string): Versioned<T> {
    assertConditionalEtag(etag);
    const row = this.codec.toEntity(value);
    const next = this.table.replace(row, etag, { resource: this.codec.resource, id: this.codec.idOf(value) });
    return { value: this.codec.fromEntity(row), etag: next };
  }

  /** The twin of VersionedTable.merge. */
  merge(row: TableRow, etag: string): string {
    assertConditionalEtag(etag);
    const context = { resource: this.codec.resource, id: row.partitionKey };
    const stored = this.table.read(row.partitionKey, row.rowKey);
    if (stored === undefined) throw new NotFoundError(context.resource, context.id);
    return this.table.replace({ ...stored.row, ...row }, etag, context);
  }

  delete(id: string, etag: string): void {
    assertConditionalEtag(etag);
    const { partitionKey, rowKey } = this.codec.keyOf(id);
    this.table.delete(partitionKey, rowKey, etag, { resource: this.codec.resource, id });
  }

  /** The twin of VersionedTable.updateDeleting: replace and unconditional delete, both or neither. */
  updateDeleting(value: T, etag: string, otherRowKey: string): Versioned<T> {
    const row = this.codec.toEntity(value);
    const context = { resource: this.codec.resource, id: this.codec.idOf(value) };
    const current = this.table.read(row.partitionKey, row.rowKey);
    if (current === undefined || this.table.read(row.partitionKey, otherRowKey) === undefined) throw new NotFoundError(context.resource, context.id);
    if (current.etag !== etag) throw new ConcurrencyConflictError(context.resource, context.id);
    const updated = this.update(value, etag);
    this.table.delete(row.partitionKey, otherRowKey, undefined, context);
    return updated;
  }
}
