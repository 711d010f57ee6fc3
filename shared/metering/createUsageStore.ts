import type { Clock } from '../clock';
import { ConfigurationError } from '../errors';
import { createTableClient, type StorageSettings } from '../storage/storageSettings';
import { isValidTableName } from '../storage/tableNames';
import { TableUsageStore } from './tableUsageStore';
import type { UsageStore } from './usageStore';

/** Base names of the usage tables (the storage prefix goes in front). */
export const USAGE_TABLES = { records: 'usagerecords', buckets: 'usagebuckets', pending: 'usagepending' } as const;

/** The usage store on the app's storage account (no request until first use). */
export function createUsageStore(settings: StorageSettings, options: { clock?: Clock } = {}): UsageStore {
  const prefix = settings.tableNamePrefix ?? '';
  const client = (base: string) => {
    const name = `${prefix}${base}`;
    if (!isValidTableName(name)) throw new ConfigurationError([`table name prefix gives the invalid table name "${name}"`]);
    return createTableClient(settings, name);
  };
  return new TableUsageStore(
    { records: client(USAGE_TABLES.records), buckets: client(USAGE_TABLES.buckets), pending: client(USAGE_TABLES.pending) },
    options,
  );
}
