import type { TokenCredential } from '@azure/core-auth';
import type { InvocationContext } from '@azure/functions';
import { systemClock, type Clock } from './clock';
import { getConfig, type Config, type StorageSettings as StorageConfig } from './config';
import { consoleLogger, loggerFromContext, type LogFields, type Logger } from './logging';
import { type IsvHooks } from './isv/hooks';
import { isvHooksFor } from './isv/createIsvHooks';
import { azureIdentityCredentials, createMarketplaceCredential, marketplaceClientsFor, type MarketplaceApi } from './marketplace';
import { createPlanCatalog, type PlanCatalog } from './catalog';
import { createUsageStore, type UsageStore } from './metering';
import { createJobRunStore, type JobRunStore } from './runs';
import { createQueue, createTableStores, searchIndexedSubscriptions, type MessageQueue, type QueueName, type StorageSettings, type TableStores } from './storage';
import { getTelemetry, invocationTelemetry, type Telemetry } from './telemetry';
import { tracedQueue } from './telemetry/tracedQueue';

/**
 * The composition root: the one place that turns configuration into real adapters. Built lazily
 * on the first invocation and kept for the life of the worker, so a bad setting fails that
 * invocation with a clear ConfigurationError instead of stopping function registration.
 *
 * The adapters that make spans (queues, the Marketplace client, the ISV hooks) use `telemetry`; the
 * process-wide ones have no trace scope (their spans are roots). `forInvocation(context)` gives the
 * same dependencies with those adapters bound to one invocation's span; the objects that hold
 * caches (table and queue clients, the Marketplace credential and its tokens) stay the process's.
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
  /** The invocation's logger; with telemetry, its log records belong to the invocation's trace. */
  logger(context: InvocationContext, fields?: LogFields): Logger;
  /**
   * These dependencies for one invocation: its queues, Marketplace client and ISV hooks make their
   * spans under the invocation's span (shared/telemetry/invocationScope.ts). This same object when
   * telemetry is off or the invocation runs in no span: nothing is allocated then.
   */
  forInvocation(context: InvocationContext): AppDependencies;
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
  const queueClients = new Map<string, MessageQueue<unknown>>();
  /** The process's client of queue `name` (one per name), its sends traced with `scoped` (a thin wrapper; none without telemetry). */
  const tracedQueueOf = <T>(name: QueueName, scoped: Telemetry): MessageQueue<T> => {
    let queue = queueClients.get(name);
    if (queue === undefined) {
      queue = createQueue<unknown>(storage, name);
      queueClients.set(name, queue);
    }
    return tracedQueue(queue as MessageQueue<T>, scoped);
  };
  const { marketplace: m } = config;
  const marketplaceCredential = overrides.marketplaceCredential ?? createMarketplaceCredential(m.auth);
  const marketplaceFor = marketplaceClientsFor({
    baseUrl: m.baseUrl,
    credential: marketplaceCredential,
    extraAllowedHosts: m.extraAllowedHosts,
    requestTimeoutMs: m.requestTimeoutMs,
    maxAttempts: m.maxAttempts,
    retryBudgetMs: m.retryBudgetMs,
    clock,
  });
  // Hooks outlive invocations, so their few warnings go to the process log.
  const isvFor = isvHooksFor(config.isv, { clock, logger: consoleLogger({ level: config.logLevel, fields: { component: 'isvHooks' } }) });
  const processLogger = consoleLogger({ level: config.logLevel, fields: { component: 'searchIndex' } });
  /**
   * The same dependencies whose span-making adapters use `scoped` (the marketplace client and the
   * hooks built when first read): a small object of its own whose prototype is the app, so binding an
   * invocation copies none of the app's dependencies (measured: spreading them cost about 2 µs per
   * invocation, docs/observability.md "## Cost").
   */
  class InvocationDependencies {
    #marketplace: MarketplaceApi | undefined;
    #isv: IsvHooks | undefined;

    constructor(readonly telemetry: Telemetry) {}

    get marketplace(): MarketplaceApi {
      this.#marketplace ??= marketplaceFor(this.telemetry);
      return this.#marketplace;
    }

    get isv(): IsvHooks {
      this.#isv ??= isvFor(this.telemetry);
      return this.#isv;
    }

    queue<T>(name: QueueName): MessageQueue<T> {
      return tracedQueueOf<T>(name, this.telemetry);
    }
  }
  const boundTo = (scoped: Telemetry): AppDependencies => new InvocationDependencies(scoped) as unknown as AppDependencies;
  const app: AppDependencies = {
    ...stores,
    // The console's search rows follow every subscription write (shared/storage/subscriptionSearch.ts).
    subscriptions: searchIndexedSubscriptions(stores.subscriptions, stores.searchIndex, (error, subscriptionId) =>
      processLogger.warn('search index not updated; search may miss this subscription until its next write', { error, subscriptionId }),
    ),
    config,
    clock,
    marketplace: marketplaceFor(telemetry),
    marketplaceCredential,
    isv: isvFor(telemetry),
    usage: createUsageStore(storage, { clock }),
    plans: createPlanCatalog(storage),
    runs: createJobRunStore(storage),
    queue<T>(name: QueueName): MessageQueue<T> {
      return tracedQueueOf<T>(name, telemetry);
    },
    telemetry,
    logger: (context, fields) => loggerFromContext(context, { level: config.logLevel, fields, telemetry: invocationTelemetry(telemetry, context) }),
    forInvocation(context) {
      const scoped = invocationTelemetry(telemetry, context);
      return scoped === telemetry ? app : boundTo(scoped);
    },
  };
  Object.setPrototypeOf(InvocationDependencies.prototype, app);
  return app;
}

let cached: AppDependencies | undefined;

/**
 * The process-wide dependencies, built on first use; with `context`, bound to that invocation
 * (see `forInvocation`).
 */
export function getDependencies(context?: InvocationContext): AppDependencies {
  cached ??= buildDependencies(getConfig());
  return context === undefined ? cached : cached.forInvocation(context);
}

/**
 * A getter of one area's dependencies (built from the app's by `build`, once) that gives each
 * invocation its own when it runs in a span: `build` again over the app bound to the invocation,
 * with the first build at hand so that what holds a cache (a key set, a store) is reused, not
 * rebuilt. Without telemetry every invocation gets the first build itself.
 */
export function perInvocation<T>(getApp: () => AppDependencies, build: (app: AppDependencies, processWide?: T) => T): (context?: InvocationContext) => T {
  let processWide: T | undefined;
  return (context) => {
    const app = getApp();
    processWide ??= build(app);
    if (context === undefined) return processWide;
    const bound = app.forInvocation(context);
    return bound === app ? processWide : build(bound, processWide);
  };
}
