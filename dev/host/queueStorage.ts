import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { resolveAppSettings } from './hostConfig';
import { QUEUE_RETRY_OPTIONS } from '../../shared/storage/storageSettings';

export type Settings = Readonly<Record<string, string | undefined>>;

export interface QueueStorage {
  /** A client for `queueName` (setting expressions resolved, lower-cased, validated), created if missing. */
  queue(connection: string, queueName: string): Promise<QueueClient>;
  /** Resolves and validates a queue name without touching storage. */
  queueNameOf(queueName: string): string;
  /** Checks that the connection setting exists and is usable; throws a message naming the setting. */
  assertConnection(connection: string): void;
}

const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * Queue clients per connection setting, as the Storage Queues extension resolves them: the binding's
 * `connection` names an app setting (`X`, or `AzureWebJobsX`) holding a connection string.
 */
export function createQueueStorage(settings: Settings): QueueStorage {
  const services = new Map<string, QueueServiceClient>();
  const created = new Map<string, Promise<QueueClient>>();

  const service = (connection: string): QueueServiceClient => {
    const existing = services.get(connection);
    if (existing) return existing;
    const client = QueueServiceClient.fromConnectionString(connectionString(settings, connection), { retryOptions: QUEUE_RETRY_OPTIONS });
    services.set(connection, client);
    return client;
  };

  const queueNameOf = (queueName: string): string => {
    const name = resolveAppSettings(queueName, settings).toLowerCase();
    if (!QUEUE_NAME.test(name)) {
      throw new Error(`"${name}" is not a valid queue name (3-63 lowercase letters, digits and single hyphens)`);
    }
    return name;
  };

  return {
    queueNameOf,
    assertConnection: (connection) => {
      connectionString(settings, connection);
    },
    queue: (connection, queueName) => {
      const name = queueNameOf(queueName);
      const key = `${connection}\n${name}`;
      let pending = created.get(key);
      if (!pending) {
        const client = service(connection).getQueueClient(name);
        pending = client.createIfNotExists().then(() => client);
        pending.catch(() => created.delete(key));
        created.set(key, pending);
      }
      return pending;
    },
  };
}

function connectionString(settings: Settings, connection: string): string {
  const value = settings[connection] ?? settings[`AzureWebJobs${connection}`];
  if (value) return value;
  if (settings[`${connection}__queueServiceUri`] || settings[`${connection}__serviceUri`]) {
    throw new Error(`Connection "${connection}" is identity-based; the local host supports connection strings only`);
  }
  throw new Error(`Storage connection "${connection}" is not configured: set the app setting "${connection}" to a connection string`);
}
