import type { TokenCredential } from '@azure/core-auth';
import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';
import { dataTablesSdk, storageQueueSdk } from '../lazySdk';
import { ConfigurationError } from '../errors';
import { storageStatus } from './tableErrors';

/** A storage connection string (Azurite or a real account). */
export interface ConnectionStringStorageSettings {
  connectionString: string;
  /** Put in front of every table name (tests use unique prefixes). */
  tableNamePrefix?: string;
}

/** Identity-based access (managed identity or any TokenCredential); URIs default from `accountName`. */
export interface IdentityStorageSettings {
  accountName?: string;
  tableServiceUri?: string;
  queueServiceUri?: string;
  credential: TokenCredential;
  tableNamePrefix?: string;
}

export type StorageSettings = ConnectionStringStorageSettings | IdentityStorageSettings;

function isConnectionString(settings: StorageSettings): settings is ConnectionStringStorageSettings {
  return 'connectionString' in settings;
}

/** The service URI for identity-based settings: the explicit one, else the account's public endpoint. */
export function serviceUri(settings: IdentityStorageSettings, service: 'table' | 'queue'): string {
  const explicit = service === 'table' ? settings.tableServiceUri : settings.queueServiceUri;
  if (explicit !== undefined && explicit !== '') return explicit;
  if (settings.accountName !== undefined && settings.accountName !== '') {
    return `https://${settings.accountName}.${service}.core.windows.net`;
  }
  throw new ConfigurationError([`storage: set ${service}ServiceUri or accountName for identity-based access`]);
}

/**
 * True when the connection string points at plain http (Azurite): `UseDevelopmentStorage=true`,
 * `DefaultEndpointsProtocol=http`, or an explicit `TableEndpoint=http://…`.
 */
export function usesPlainHttp(connectionString: string, endpointKey = 'TableEndpoint'): boolean {
  const parts = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') return true;
  const endpoint = parts.get(endpointKey.toLowerCase());
  if (endpoint !== undefined) return endpoint.toLowerCase().startsWith('http://');
  return parts.get('defaultendpointsprotocol')?.toLowerCase() === 'http';
}

/**
 * Retries inside the storage SDKs: short delays instead of their defaults (4 s and more before the
 * first retry), so that a reset keep-alive connection costs milliseconds, not the marketplace's
 * 10-second window for acknowledging plan and seat changes. The queue trigger and the callers'
 * own retries cover longer outages.
 */
export const QUEUE_RETRY_OPTIONS = { maxTries: 4, retryDelayInMs: 100, maxRetryDelayInMs: 2_000, tryTimeoutInMs: 20_000 } as const;
export const TABLE_RETRY_OPTIONS = { maxRetries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 2_000 } as const;

export function createTableClient(settings: StorageSettings, table: string): TableClient {
  const { TableClient } = dataTablesSdk();
  if (isConnectionString(settings)) {
    return TableClient.fromConnectionString(settings.connectionString, table, {
      allowInsecureConnection: usesPlainHttp(settings.connectionString),
      retryOptions: TABLE_RETRY_OPTIONS,
    });
  }
  const uri = serviceUri(settings, 'table');
  return new TableClient(uri, table, settings.credential, { allowInsecureConnection: uri.startsWith('http://'), retryOptions: TABLE_RETRY_OPTIONS });
}

export function createQueueClient(settings: StorageSettings, queue: string): QueueClient {
  const { QueueServiceClient } = storageQueueSdk();
  const service = isConnectionString(settings)
    ? QueueServiceClient.fromConnectionString(settings.connectionString, { retryOptions: QUEUE_RETRY_OPTIONS })
    : new QueueServiceClient(serviceUri(settings, 'queue'), settings.credential, { retryOptions: QUEUE_RETRY_OPTIONS });
  return service.getQueueClient(queue);
}

const ensured = new Map<string, Promise<void>>();

/**
 * 403 on "create if missing": the identity may use the resource but not create it (e.g. only
 * Storage Queue Data Message Sender). Assume it was provisioned; the real call reports 404 if not.
 */
export function isCreateForbidden(error: unknown): boolean {
  return storageStatus(error) === 403;
}

/**
 * Creates the table if it is missing, once per process and table (the promise is memoized; a
 * failure other than 403 is forgotten so that the next call tries again). `createTable` ignores "already exists".
 */
export function ensureTable(client: TableClient): Promise<void> {
  const key = `${client.url}|${client.tableName.toLowerCase()}`;
  let pending = ensured.get(key);
  if (pending === undefined) {
    pending = client.createTable().catch((error: unknown) => {
      if (isCreateForbidden(error)) return;
      ensured.delete(key);
      throw error;
    });
    ensured.set(key, pending);
  }
  return pending;
}
