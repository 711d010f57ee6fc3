import { createQueueClient, createTableClient, type StorageSettings } from './storageSettings';
import { storageStatus } from './tableErrors';
import { tableName } from './tableNames';

/** Reads with the app's own storage settings and identity, for readiness: no writes, nothing created. */
export interface StorageReads {
  tableUrl: string;
  queueUrl: string;
  /** One point read on the subscriptions table; 404 (no such row or table yet) counts as an answer. */
  readTable(signal: AbortSignal): Promise<void>;
  /** Approximate message count per queue; 0 for a queue that does not exist yet. */
  queueDepths(queues: readonly string[], signal: AbortSignal): Promise<Record<string, number>>;
}

export function createStorageReads(settings: StorageSettings): StorageReads {
  const table = createTableClient(settings, tableName('subscriptions', settings.tableNamePrefix));
  const queue = (name: string) => createQueueClient(settings, name);
  return {
    tableUrl: table.url,
    queueUrl: queue('probe').url.replace(/\/probe$/, ''),
    async readTable(signal) {
      try {
        await table.getEntity('readiness', 'probe', { abortSignal: signal });
      } catch (error) {
        if (storageStatus(error) !== 404) throw error;
      }
    },
    async queueDepths(queues, signal) {
      const counts = await Promise.all(
        queues.map(async (name) => {
          try {
            return (await queue(name).getProperties({ abortSignal: signal })).approximateMessagesCount ?? 0;
          } catch (error) {
            if (storageStatus(error) === 404) return 0;
            throw error;
          }
        }),
      );
      return Object.fromEntries(queues.map((name, i) => [name, counts[i] ?? 0]));
    },
  };
}
