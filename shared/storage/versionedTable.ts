import type { TableClient } from '@azure/data-tables';
import type { Versioned } from '../subscription/model';
import { assertConditionalEtag, type EntityCodec } from './entityCodec';
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
}
