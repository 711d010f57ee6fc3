import type { TableClient } from '@azure/data-tables';
import { odata } from '../lazySdk';
import type { SubscriptionRecord, Versioned } from '../subscription/model';
import type { Page } from './continuationToken';
import { subscriptionCodec } from './subscriptionEntity';
import {
  DEFAULT_SUBSCRIPTION_PAGE_SIZE,
  updateWithRetry,
  type ListSubscriptionsOptions,
  type SubscriptionMutation,
  type SubscriptionStore,
  type UpdateWithRetryOptions,
} from './subscriptionStore';
import { readPage } from './tablePaging';
import { VersionedTable } from './versionedTable';

/** The filter for `list`: each given option becomes an equality on its column, joined with AND. */
export function subscriptionFilter(options: ListSubscriptionsOptions): string | undefined {
  const clauses: string[] = [];
  if (options.status !== undefined) clauses.push(odata`status eq ${options.status}`);
  if (options.offerId !== undefined) clauses.push(odata`offerId eq ${options.offerId}`);
  if (options.planId !== undefined) clauses.push(odata`planId eq ${options.planId}`);
  if (options.isTest !== undefined) clauses.push(`isTest eq ${options.isTest ? 'true' : 'false'}`);
  return clauses.length > 0 ? clauses.join(' and ') : undefined;
}

/** SubscriptionStore on an Azure (or Azurite) table. */
export class TableSubscriptionStore implements SubscriptionStore {
  private readonly table: VersionedTable<SubscriptionRecord>;

  constructor(private readonly client: TableClient) {
    this.table = new VersionedTable(client, subscriptionCodec);
  }

  create(record: SubscriptionRecord): Promise<Versioned<SubscriptionRecord>> {
    return this.table.create(record);
  }

  get(id: string): Promise<Versioned<SubscriptionRecord> | undefined> {
    return this.table.get(id);
  }

  update(record: SubscriptionRecord, etag: string): Promise<Versioned<SubscriptionRecord>> {
    return this.table.update(record, etag);
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
