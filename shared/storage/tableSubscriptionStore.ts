import type { TableClient } from '@azure/data-tables';
import { odata } from '../lazySdk';
import type { SubscriptionRecord, Versioned } from '../subscription/model';
import type { Page } from './continuationToken';
import { SUBSCRIPTION_ROW_KEY, subscriptionCodec } from './subscriptionEntity';
import { SUBSCRIPTION_LEASE_ROW_KEY, subscriptionLeaseCodec, type HeldLeaseRow, type SubscriptionLeaseRow, type SubscriptionLeaseRows } from './subscriptionLeaseEntity';
import { storageStatus, translateTableError } from './tableErrors';
import {
  DEFAULT_SUBSCRIPTION_PAGE_SIZE,
  updateWithRetry,
  type ListSubscriptionsOptions,
  type SubscriptionMutation,
  type SubscriptionStore,
  type UpdateSubscriptionOptions,
  type UpdateWithRetryOptions,
} from './subscriptionStore';
import { readPage } from './tablePaging';
import { VersionedTable } from './versionedTable';

/**
 * The filter for `list`: record rows only (the table also holds lease rows), and each given option
 * as an equality on its column, joined with AND.
 */
export function subscriptionFilter(options: ListSubscriptionsOptions): string {
  const clauses: string[] = [odata`RowKey eq ${SUBSCRIPTION_ROW_KEY}`];
  if (options.status !== undefined) clauses.push(odata`status eq ${options.status}`);
  if (options.offerId !== undefined) clauses.push(odata`offerId eq ${options.offerId}`);
  if (options.planId !== undefined) clauses.push(odata`planId eq ${options.planId}`);
  if (options.isTest !== undefined) clauses.push(`isTest eq ${options.isTest ? 'true' : 'false'}`);
  return clauses.join(' and ');
}

/** SubscriptionStore on an Azure (or Azurite) table. */
export class TableSubscriptionStore implements SubscriptionStore {
  private readonly table: VersionedTable<SubscriptionRecord>;
  readonly leases: SubscriptionLeaseRows;

  constructor(private readonly client: TableClient) {
    this.table = new VersionedTable(client, subscriptionCodec);
    const leases = new VersionedTable(client, subscriptionLeaseCodec);
    this.leases = {
      create: (lease: SubscriptionLeaseRow): Promise<HeldLeaseRow> => leases.create(lease),
      get: (subscriptionId: string) => leases.get(subscriptionId),
      update: (lease: SubscriptionLeaseRow, etag: string) => leases.update(lease, etag),
      delete: (subscriptionId: string, etag: string) => leases.delete(subscriptionId, etag),
    };
  }

  create(record: SubscriptionRecord): Promise<Versioned<SubscriptionRecord>> {
    return this.table.create(record);
  }

  get(id: string): Promise<Versioned<SubscriptionRecord> | undefined> {
    return this.table.get(id);
  }

  async update(record: SubscriptionRecord, etag: string, options: UpdateSubscriptionOptions = {}): Promise<Versioned<SubscriptionRecord>> {
    if (options.releaseLease !== true) return this.table.update(record, etag);
    try {
      return await this.table.updateDeleting(record, etag, SUBSCRIPTION_LEASE_ROW_KEY);
    } catch (error) {
      const status = storageStatus(error);
      if (status !== 412 && status !== 404) throw translateTableError(error, { resource: subscriptionCodec.resource, id: record.id });
      // The record moved on (412), or it or the lease row is gone (404): the record alone decides.
      return this.table.update(record, etag);
    }
  }

  list(options: ListSubscriptionsOptions = {}): Promise<Page<Versioned<SubscriptionRecord>>> {
    return readPage(this.client, {
      filter: () => subscriptionFilter(options),
      pageSize: options.pageSize,
      defaultPageSize: DEFAULT_SUBSCRIPTION_PAGE_SIZE,
      continuationToken: options.continuationToken,
      resource: subscriptionCodec.resource,
      decode: (entity) => ({ value: subscriptionCodec.fromEntity(entity), etag: String(entity.etag) }),
    });
  }

  updateWithRetry(id: string, mutate: SubscriptionMutation, options?: UpdateWithRetryOptions): Promise<Versioned<SubscriptionRecord>> {
    return updateWithRetry(this, id, mutate, options);
  }
}
