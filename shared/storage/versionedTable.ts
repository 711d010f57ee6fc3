import { odata, type TableClient } from '@azure/data-tables';
import type { Versioned } from '../subscription/model';
import { assertConditionalEtag, type EntityCodec } from './entityCodec';
import { ensureTable } from './storageSettings';
import { storageErrorCode, storageStatus, translateTableError } from './tableErrors';

function requireEtag(etag: string | undefined): string {
  if (etag === undefined || etag === '') throw new Error('Table Storage returned no ETag');
  return etag;
}

function rowId(partitionKey: unknown, rowKey: unknown): string {
  return `${String(partitionKey)}\u0000${String(rowKey)}`;
}

/** Azure Table Storage allows at most this many discrete comparisons in one `$filter`. */
export const MAX_FILTER_COMPARISONS = 15;

/** 404 for the entity (not for the whole table). */
export function isEntityNotFound(error: unknown): boolean {
  return storageStatus(error) === 404 && storageErrorCode(error) !== 'TableNotFound';
}

/**
 * Create / get / conditional update of single-row records over `@azure/data-tables`: `createEntity`
 * (409 → AlreadyExistsError), `updateEntity(…, 'Replace', { etag })` (412 → ConcurrencyConflictError,
 * 404 → NotFoundError), and `getMany` for several ids at once. The table is created on first use.
 */
export class VersionedTable<T> {
  constructor(
    readonly client: TableClient,
    private readonly codec: EntityCodec<T>,
  ) {}

  async create(value: T): Promise<Versioned<T>> {
    const entity = this.codec.toEntity(value);
    try {
      await ensureTable(this.client);
      const response = await this.client.createEntity(entity);
      return { value: this.codec.fromEntity(entity), etag: requireEtag(response.etag) };
    } catch (error) {
      throw translateTableError(error, { resource: this.codec.resource, id: this.codec.idOf(value) });
    }
  }

  async get(id: string): Promise<Versioned<T> | undefined> {
    const { partitionKey, rowKey } = this.codec.keyOf(id);
    try {
      await ensureTable(this.client);
      const entity = await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      return { value: this.codec.fromEntity(entity), etag: requireEtag(entity.etag) };
    } catch (error) {
      if (isEntityNotFound(error)) return undefined;
      throw translateTableError(error, { resource: this.codec.resource, id });
    }
  }

  /**
   * The records with these ids (absent ones are simply not in the map), read with queries on
   * `PartitionKey eq … or …`, at most MAX_FILTER_COMPARISONS partitions per query, queries in
   * parallel; rows of those partitions that belong to no asked id are ignored. Meant for tables
   * whose PartitionKey identifies the record (each id its own partition). Every id is validated
   * (ValidationError) before anything is read.
   */
  async getMany(ids: readonly string[]): Promise<Map<string, Versioned<T>>> {
    const idByKey = new Map<string, string>();
    const partitions = new Set<string>();
    for (const id of ids) {
      const { partitionKey, rowKey } = this.codec.keyOf(id);
      idByKey.set(rowId(partitionKey, rowKey), id);
      partitions.add(partitionKey);
    }
    const found = new Map<string, Versioned<T>>();
    if (partitions.size === 0) return found;
    const filters: string[] = [];
    let group: string[] = [];
    for (const partitionKey of partitions) {
      group.push(odata`PartitionKey eq ${partitionKey}`);
      if (group.length === MAX_FILTER_COMPARISONS) {
        filters.push(group.join(' or '));
        group = [];
      }
    }
    if (group.length > 0) filters.push(group.join(' or '));
    try {
      await ensureTable(this.client);
      await Promise.all(
        filters.map(async (filter) => {
          for await (const entity of this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
            const id = idByKey.get(rowId(entity.partitionKey, entity.rowKey));
            if (id !== undefined) found.set(id, { value: this.codec.fromEntity(entity), etag: requireEtag(entity.etag) });
          }
        }),
      );
    } catch (error) {
      throw translateTableError(error, { resource: this.codec.resource, id: `(${idByKey.size} ids)` });
    }
    return found;
  }

  async update(value: T, etag: string): Promise<Versioned<T>> {
    assertConditionalEtag(etag);
    const entity = this.codec.toEntity(value);
    try {
      await ensureTable(this.client);
      const response = await this.client.updateEntity(entity, 'Replace', { etag });
      return { value: this.codec.fromEntity(entity), etag: requireEtag(response.etag) };
    } catch (error) {
      throw translateTableError(error, { resource: this.codec.resource, id: this.codec.idOf(value) });
    }
  }
}
