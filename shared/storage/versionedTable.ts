import type { TableClient } from '@azure/data-tables';
import type { Versioned } from '../subscription/model';
import { assertConditionalEtag, type EntityCodec, type TableRow } from './entityCodec';
import { ensureTable } from './storageSettings';
import { storageErrorCode, storageStatus, translateTableError } from './tableErrors';

function requireEtag(etag: string | undefined): string {
  if (etag === undefined || etag === '') throw new Error('Table Storage returned no ETag');
  return etag;
}

/** 404 for the entity (not for the whole table). */
export function isEntityNotFound(error: unknown): boolean {
  return storageStatus(error) === 404 && storageErrorCode(error) !== 'TableNotFound';
}

/**
 * Create / get / conditional update of single-row records over `@azure/data-tables`: `createEntity`
 * (409 → AlreadyExistsError), `updateEntity(…, 'Replace', { etag })` (412 → ConcurrencyConflictError,
 * 404 → NotFoundError). The table is created on first use.
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

  /** Merges `row` (keys and the columns to change) into the stored row if `etag` is current; the new ETag. */
  async merge(row: TableRow, etag: string): Promise<string> {
    assertConditionalEtag(etag);
    try {
      await ensureTable(this.client);
      return requireEtag((await this.client.updateEntity(row, 'Merge', { etag })).etag);
    } catch (error) {
      throw translateTableError(error, { resource: this.codec.resource, id: row.partitionKey });
    }
  }

  async delete(id: string, etag: string): Promise<void> {
    assertConditionalEtag(etag);
    const { partitionKey, rowKey } = this.codec.keyOf(id);
    try {
      await ensureTable(this.client);
      await this.client.deleteEntity(partitionKey, rowKey, { etag });
    } catch (error) {
      throw translateTableError(error, { resource: this.codec.resource, id });
    }
  }

  /**
   * Replaces `value` (ETag-conditional) and deletes the row `otherRowKey` of the same partition in
   * one entity-group transaction: both or neither. The SDK's transactions delete without an ETag, so
   * the delete is unconditional; the caller must own that row. A refused transaction (412, 404) is
   * rethrown as the SDK's error: the caller decides what it means.
   */
  async updateDeleting(value: T, etag: string, otherRowKey: string): Promise<Versioned<T>> {
    assertConditionalEtag(etag);
    const entity = this.codec.toEntity(value);
    await ensureTable(this.client);
    const response = await this.client.submitTransaction([
      ['update', entity, 'Replace', { etag }],
      ['delete', { partitionKey: entity.partitionKey, rowKey: otherRowKey }],
    ]);
    return { value: this.codec.fromEntity(entity), etag: requireEtag(response.subResponses[0]?.etag) };
  }
}
