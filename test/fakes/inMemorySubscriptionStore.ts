import { checkPageSize, decodeContinuationToken, encodeContinuationToken, type Page } from '../../shared/storage/continuationToken';
import type { TableRow } from '../../shared/storage/entityCodec';
import { SUBSCRIPTION_ROW_KEY, subscriptionCodec } from '../../shared/storage/subscriptionEntity';
import { SUBSCRIPTION_LEASE_ROW_KEY, subscriptionLeaseCodec, type SubscriptionLeaseRows } from '../../shared/storage/subscriptionLeaseEntity';
import { ConcurrencyConflictError, NotFoundError } from '../../shared/errors';
import {
  DEFAULT_SUBSCRIPTION_PAGE_SIZE,
  updateWithRetry,
  type ListSubscriptionsOptions,
  type SubscriptionMutation,
  type SubscriptionStore,
  type UpdateSubscriptionOptions,
  type UpdateWithRetryOptions,
} from '../../shared/storage/subscriptionStore';
import type { SubscriptionRecord, Versioned } from '../../shared/subscription/model';
import { InMemoryTable, InMemoryVersionedTable } from './inMemoryTable';

function matches(row: TableRow, options: ListSubscriptionsOptions): boolean {
  return (
    row.rowKey === SUBSCRIPTION_ROW_KEY &&
    (options.status === undefined || row.status === options.status) &&
    (options.offerId === undefined || row.offerId === options.offerId) &&
    (options.planId === undefined || row.planId === options.planId) &&
    (options.isTest === undefined || row.isTest === options.isTest)
  );
}

/**
 * SubscriptionStore in memory with the Table adapter's semantics (same codec and validation, real
 * ETags that change on every write, AlreadyExists, ConcurrencyConflict, paging by id).
 */
export class InMemorySubscriptionStore implements SubscriptionStore {
  private readonly table = new InMemoryVersionedTable(new InMemoryTable(), subscriptionCodec);
  private readonly leaseRows = new InMemoryVersionedTable(this.table.table, subscriptionLeaseCodec);

  readonly leases: SubscriptionLeaseRows = {
    create: async (lease) => {
      await Promise.resolve();
      return this.leaseRows.create(lease);
    },
    get: async (subscriptionId) => {
      await Promise.resolve();
      return this.leaseRows.get(subscriptionId);
    },
    update: async (lease, etag) => {
      await Promise.resolve();
      return this.leaseRows.update(lease, etag);
    },
    delete: async (subscriptionId, etag) => {
      await Promise.resolve();
      this.leaseRows.delete(subscriptionId, etag);
    },
  };

  async create(record: SubscriptionRecord): Promise<Versioned<SubscriptionRecord>> {
    await Promise.resolve();
    return this.table.create(record);
  }

  async get(id: string): Promise<Versioned<SubscriptionRecord> | undefined> {
    await Promise.resolve();
    return this.table.get(id);
  }

  async update(record: SubscriptionRecord, etag: string, options: UpdateSubscriptionOptions = {}): Promise<Versioned<SubscriptionRecord>> {
    await Promise.resolve();
    if (options.releaseLease !== true) return this.table.update(record, etag);
    try {
      return this.table.updateDeleting(record, etag, SUBSCRIPTION_LEASE_ROW_KEY);
    } catch (error) {
      // As the adapter: the record moved on or a row is gone, so the record alone decides.
      if (!(error instanceof ConcurrencyConflictError) && !(error instanceof NotFoundError)) throw error;
      return this.table.update(record, etag);
    }
  }

  async list(options: ListSubscriptionsOptions = {}): Promise<Page<Versioned<SubscriptionRecord>>> {
    await Promise.resolve();
    const pageSize = checkPageSize(options.pageSize, DEFAULT_SUBSCRIPTION_PAGE_SIZE);
    const position = options.continuationToken === undefined ? undefined : decodeContinuationToken(options.continuationToken);
    const { rows, next } = this.table.table.page((row) => matches(row, options), pageSize, position);
    const items = rows.map(({ row, etag }) => ({ value: subscriptionCodec.fromEntity(row), etag }));
    return next === undefined ? { items } : { items, continuationToken: encodeContinuationToken(next) };
  }

  updateWithRetry(id: string, mutate: SubscriptionMutation, options?: UpdateWithRetryOptions): Promise<Versioned<SubscriptionRecord>> {
    return updateWithRetry(this, id, mutate, options);
  }
}
