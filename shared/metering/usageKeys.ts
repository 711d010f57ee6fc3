import { createHash } from 'node:crypto';
import { assertValidKey, keyDigest } from '../storage/tableKeys';
import { hourKey } from './hours';
import type { BucketKey } from './model';

/**
 * Table keys of the usage tables (docs/metering.md):
 * - records: PartitionKey `<subscriptionId>|<dimension>|<yyyyMMddHH>|<shard>`, RowKey = record id,
 *   plus one seal row per shard partition (RowKey `~seal`, sorting after every record);
 * - buckets: PartitionKey = subscription id, RowKey `<yyyyMMddHH>|<dimension>`;
 * - pending: PartitionKey `<yyyyMMddHH>`, RowKey `<subscriptionId>|<dimension>`.
 */

/** Record partitions per bucket: spreads one hot subscription and dimension over this many partitions. */
export const RECORD_SHARDS = 4;
export const SEAL_ROW_KEY = '~seal';

/** Dimension ids in keys: characters outside `[A-Za-z0-9._~-]` become `!` + UTF-8 hex (injective). */
export function keyPart(value: string): string {
  let out = '';
  for (const char of value) {
    out += /^[A-Za-z0-9._~-]$/.test(char) ? char : `!${Buffer.from(char, 'utf8').toString('hex')}`;
  }
  return out;
}

/** The record id for a caller's `id` (any text) and for a generated id. */
export function callerRecordId(callerId: string): string {
  return `i_${keyDigest(callerId)}`;
}

export function generatedRecordId(id: string): string {
  return `g_${id.replace(/[^A-Za-z0-9]/g, '')}`;
}

export function shardOf(recordId: string): number {
  return createHash('sha256').update(recordId, 'utf8').digest().readUInt32BE(0) % RECORD_SHARDS;
}

function bucketPrefix(key: BucketKey): string {
  return `${assertValidKey(key.subscriptionId, 'subscription id')}|${keyPart(key.dimension)}|${hourKey(key.hour)}`;
}

export function recordPartition(key: BucketKey, shard: number): string {
  return assertValidKey(`${bucketPrefix(key)}|${shard}`, 'usage record partition');
}

/** Every record partition of the bucket, shard 0 first. */
export function recordPartitions(key: BucketKey): string[] {
  return Array.from({ length: RECORD_SHARDS }, (_, shard) => recordPartition(key, shard));
}

export function bucketRowKeys(key: BucketKey): { partitionKey: string; rowKey: string } {
  return { partitionKey: assertValidKey(key.subscriptionId, 'subscription id'), rowKey: assertValidKey(`${hourKey(key.hour)}|${keyPart(key.dimension)}`, 'bucket key') };
}

export function pendingRowKeys(key: BucketKey): { partitionKey: string; rowKey: string } {
  return { partitionKey: hourKey(key.hour), rowKey: assertValidKey(`${key.subscriptionId}|${keyPart(key.dimension)}`, 'pending key') };
}

/** A stable text id of a bucket, for maps and logs. */
export function bucketId(key: BucketKey): string {
  return `${key.subscriptionId}|${key.dimension}|${key.hour}`;
}
