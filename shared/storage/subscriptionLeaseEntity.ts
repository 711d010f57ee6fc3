import { z } from 'zod';
import type { Versioned } from '../subscription/model';
import { dropUndefined, finishEntity, parseStoredEntity, schemaVersionColumn, timestampColumn, validateRecord, type EntityCodec } from './entityCodec';
import { assertValidKey } from './tableKeys';

/**
 * A subscription's lease row: in the subscriptions table, in the subscription's own partition
 * (PartitionKey = subscription id, RowKey = the constant below), so that the last write of the
 * record under the lease and the release of the lease are one entity-group transaction. The row
 * exists only while the lease is held (or was abandoned by a worker that died): taking it is a
 * conditional insert, releasing it an ETag-conditional delete.
 */
export const SUBSCRIPTION_LEASE_ROW_KEY = 'lease';
export const SUBSCRIPTION_LEASE_SCHEMA_VERSION = 1;

export interface SubscriptionLeaseRow {
  subscriptionId: string;
  takenAt: string;
  /** Taken or last renewed; the lease is abandoned once this is older than its TTL. */
  renewedAt: string;
}

export type HeldLeaseRow = Versioned<SubscriptionLeaseRow>;

/** The lease rows of the subscriptions table (see SubscriptionStore.leases). */
export interface SubscriptionLeaseRows {
  /** Conditional insert; AlreadyExistsError while a lease row exists. */
  create(lease: SubscriptionLeaseRow): Promise<HeldLeaseRow>;
  get(subscriptionId: string): Promise<HeldLeaseRow | undefined>;
  /** ETag-conditional replace: ConcurrencyConflictError if stale, NotFoundError if released. */
  update(lease: SubscriptionLeaseRow, etag: string): Promise<HeldLeaseRow>;
  /** ETag-conditional delete: ConcurrencyConflictError if taken over, NotFoundError if already gone. */
  delete(subscriptionId: string, etag: string): Promise<void>;
}

const leaseSchema = z.object({ subscriptionId: z.string().min(1), takenAt: z.string().min(1), renewedAt: z.string().min(1) });

const leaseEntitySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.literal(SUBSCRIPTION_LEASE_ROW_KEY),
  schemaVersion: schemaVersionColumn(SUBSCRIPTION_LEASE_SCHEMA_VERSION),
  takenAt: timestampColumn,
  renewedAt: timestampColumn,
});

export const subscriptionLeaseCodec: EntityCodec<SubscriptionLeaseRow> = {
  resource: 'Subscription lease',
  keyOf: (id) => ({ partitionKey: assertValidKey(id, 'subscription id'), rowKey: SUBSCRIPTION_LEASE_ROW_KEY }),
  idOf: (lease) => lease.subscriptionId,
  toEntity(value) {
    const lease = validateRecord(leaseSchema, value, 'subscription lease');
    return finishEntity(
      { ...subscriptionLeaseCodec.keyOf(lease.subscriptionId), schemaVersion: SUBSCRIPTION_LEASE_SCHEMA_VERSION, takenAt: lease.takenAt, renewedAt: lease.renewedAt },
      `subscription lease ${lease.subscriptionId}`,
    );
  },
  fromEntity(entity) {
    const row = parseStoredEntity(leaseEntitySchema, entity, 'subscription lease');
    return dropUndefined({ subscriptionId: row.partitionKey, takenAt: row.takenAt, renewedAt: row.renewedAt });
  },
};
