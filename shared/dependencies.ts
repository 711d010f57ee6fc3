import type { TokenCredential } from '@azure/core-auth';
import type { InvocationContext } from '@azure/functions';
import { systemClock, type Clock } from './clock';
import { getConfig, type Config, type StorageSettings as StorageConfig } from './config';
import { consoleLogger, loggerFromContext, type LogFields, type Logger } from './logging';
import { type IsvHooks } from './isv/hooks';
import { createIsvHooks } from './isv/createIsvHooks';
import { azureIdentityCredentials, createMarketplaceClient, createMarketplaceCredential, type MarketplaceApi } from './marketplace';
import { createPlanCatalog, type PlanCatalog } from './catalog';
import { createUsageStore, type UsageStore } from './metering';
import { createJobRunStore, type JobRunStore } from './runs';
import { createQueue, createTableStores, searchIndexedSubscriptions, type MessageQueue, type QueueName, type StorageSettings, type TableStores } from './storage';
import { getTelemetry, type Telemetry } from './telemetry';
import { tracedQueue } from './telemetry/tracedQueue';

/**
 * The composition root: the one place that turns configuration into real adapters. Built lazily
 * on the first invocation and kept for the life of the worker, so a bad setting fails that
 * invocation with a clear ConfigurationError instead of stopping function registration.
 */
export interface AppDependencies extends TableStores {
  readonly config: Readonly<Config>;
  readonly clock: Clock;
  readonly marketplace: MarketplaceApi;
  /** The credential the Marketplace client gets its tokens from (readiness asks it for one). */
  readonly marketplaceCredential: TokenCredential;
  /** The ISV's provisioning, lifecycle and decision hooks (no-ops unless configured). */
  readonly isv: IsvHooks;
  /** Usage records, hour buckets and the pending index (shared/metering). */
  readonly usage: UsageStore;
  /** Plans learned per offer from List Available Plans (shared/catalog). */
  readonly plans: PlanCatalog;
  /** The last run of each timer job (shared/runs). */
  readonly runs: JobRunStore;
  /** Spans, contract metrics and exported log records (does nothing unless an exporter is configured). */
  readonly telemetry: Telemetry;
  queue<T>(name: QueueName): MessageQueue<T>;
  logger(context: InvocationContext, fields?: LogFields): Logger;
}

export interface DependencyOverrides {
  clock?: Clock;
  /** Credential for the Marketplace API (tests inject a fake; never build a probing credential in tests). */
  marketplaceCredential?: TokenCredential;
  /** Credential for identity-based storage. */
  storageCredential?: TokenCredential;
  /** Telemetry (tests and benchmarks pass one with in-memory exporters). */
  telemetry?: Telemetry;
}

export function storageSettingsFrom(config: StorageConfig, credential?: TokenCredential): StorageSettings {
  if (config.kind === 'connectionString') {
    return { connectionString: config.connectionString, tableNamePrefix: config.tablePrefix };
  }
  const identity =
    credential ??
    (config.managedIdentityClientId === undefined
      ? new azureIdentityCredentials.ManagedIdentityCredential()
      : new azureIdentityCredentials.ManagedIdentityCredential({ clientId: config.managedIdentityClientId }));
  return {
    accountName: config.accountName,
    tableServiceUri: config.tableServiceUri,
    queueServiceUri: config.queueServiceUri,
    credential: identity,
    tableNamePrefix: config.tablePrefix,
  };
}

export function buildDependencies(config: Readonly<Config>, overrides: DependencyOverrides = {}): AppDependencies {
  const storage = storageSettingsFrom(config.storage, overrides.storageCredential);
  const stores = createTableStores(storage);
  const clock = overrides.clock ?? systemClock;
  const telemetry = overrides.telemetry ?? getTelemetry();
  const queues = new Map<string, MessageQueue<unknown>>();
  const { marketplace: m } = config;
  const marketplaceCredential = overrides.marketplaceCredential ?? createMarketplaceCredential(m.auth);
  const marketplace = createMarketplaceClient({
    baseUrl: m.baseUrl,
    credential: marketplaceCredential,
    extraAllowedHosts: m.extraAllowedHosts,
    requestTimeoutMs: m.requestTimeoutMs,
    maxAttempts: m.maxAttempts,
    retryBudgetMs: m.retryBudgetMs,
    clock,
    telemetry,
  });
  const processLogger = consoleLogger({ level: config.logLevel, fields: { component: 'searchIndex' } });
  return {
    ...stores,
    // The console's search rows follow every subscription write (shared/storage/subscriptionSearch.ts).
    subscriptions: searchIndexedSubscriptions(stores.subscriptions, stores.searchIndex, (error, subscriptionId) =>
      processLogger.warn('search index not updated; search may miss this subscription until its next write', { error, subscriptionId }),
    ),
    config,
    clock,
    marketplace,
    marketplaceCredential,
    // Hooks outlive invocations, so their few warnings go to the process log.
    isv: createIsvHooks(config.isv, { clock, telemetry, logger: consoleLogger({ level: config.logLevel, fields: { component: 'isvHooks' } }) }),
    usage: createUsageStore(storage, { clock }),
    plans: createPlanCatalog(storage),
    runs: createJobRunStore(storage),
    queue<T>(name: QueueName): MessageQueue<T> {
      let queue = queues.get(name);
      if (queue === undefined) {
        queue = tracedQueue(createQueue<unknown>(storage, name), telemetry);
        queues.set(name, queue);
      }
      return queue;
    },
    telemetry,
    logger: (context, fields) => loggerFromContext(context, { level: config.logLevel, fields, telemetry }),
  };
}

let cached: AppDependencies | undefined;

/** The process-wide dependencies, built on first use. */
export function getDependencies(): AppDependencies {
  cached ??= buildDependencies(getConfig());
  return cached;
}
