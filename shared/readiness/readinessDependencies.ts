import type { InvocationContext } from '@azure/functions';
import { systemClock, type Clock } from '../clock';
import { getConfig, type Config } from '../config';
import { getDependencies, perInvocation, storageSettingsFrom, type AppDependencies } from '../dependencies';
import { ConfigurationError } from '../errors';
import { consoleLogger, type Logger } from '../logging';
import { poisonQueueName, QUEUE_NAMES } from '../storage';
import { createStorageReads, type StorageReads } from '../storage/storageProbe';
import { isvEndpointCheck, lastRunCheck, marketplaceApiCheck, marketplaceTokenCheck, poisonQueuesCheck, queuesCheck, signingKeysCheck, tablesCheck, type Fetch } from './checks';
import type { ReadinessCheck } from './readiness';

export interface ReadinessDependencies {
  checks: readonly ReadinessCheck[];
  clock: Clock;
  logger(context: InvocationContext): Logger;
}

const HOUR_MS = 3_600_000;
/** The emission timer runs hourly; a run may take its 5-minute budget. */
const EMISSION_MAX_AGE_MS = 2 * HOUR_MS + 15 * 60_000;
const MAX_RUNNING_MS = 30 * 60_000;

function authorityOf(config: Readonly<Config>): string {
  const { auth } = config.marketplace;
  return auth.kind === 'managedIdentity' ? 'the managed identity' : (auth.authorityHost ?? 'https://login.microsoftonline.com');
}

/**
 * Every readiness check over the app's real adapters and settings (`storage`: the storage clients
 * to probe with, when they already exist).
 */
export function readinessChecksFrom(app: AppDependencies, fetch: Fetch, storage: StorageReads = createStorageReads(storageSettingsFrom(app.config.storage))): ReadinessCheck[] {
  const { config, clock } = app;
  const access = { access: config.storage.kind };
  const queues = Object.values(QUEUE_NAMES);
  const everyHours = config.reconciliation.everyHours;
  return [
    tablesCheck(storage, access),
    queuesCheck(storage, queues, access),
    poisonQueuesCheck(storage, queues.map(poisonQueueName), access),
    marketplaceTokenCheck(app.marketplaceCredential, authorityOf(config), clock),
    marketplaceApiCheck(app.marketplace, config.marketplace.baseUrl),
    signingKeysCheck(fetch, config.webhook.jwksUrl),
    isvEndpointCheck(fetch, 'isvWebhook', 'ISV_WEBHOOK_URL', config.isv.webhookUrl),
    isvEndpointCheck(fetch, 'isvDecision', 'ISV_DECISION_URL', config.isv.decisionUrl),
    lastRunCheck(app.runs, clock, {
      job: 'reconciliation',
      name: 'reconciliationRun',
      maxAgeMs: everyHours === 0 ? undefined : 2 * everyHours * HOUR_MS + 15 * 60_000,
      maxRunningMs: MAX_RUNNING_MS,
      howToRun: 'POST /api/reconcile runs it now',
    }),
    lastRunCheck(app.runs, clock, {
      job: 'usageEmission',
      name: 'usageEmissionRun',
      maxAgeMs: EMISSION_MAX_AGE_MS,
      maxRunningMs: MAX_RUNNING_MS,
      howToRun: 'POST /admin/functions/emitUsage (master key) runs it now',
    }),
  ];
}

/** Invalid settings: the one check that can run says which (by name; values never leave the process). */
export function configurationCheck(error: ConfigurationError): ReadinessCheck {
  return {
    name: 'configuration',
    run: () => Promise.resolve({ status: 'fail', reason: `invalid settings: ${error.issues.map((issue) => issue.replace(/ \(got .*\)$/, '')).join('; ')}` }),
  };
}

/** The checks over one app (the process's, or one bound to an invocation) and the storage clients they share. */
interface ReadinessWiring {
  storage: StorageReads;
  deps: ReadinessDependencies;
}

const readinessWiring = perInvocation(getDependencies, (app, processWide?: ReadinessWiring): ReadinessWiring => {
  const storage = processWide?.storage ?? createStorageReads(storageSettingsFrom(app.config.storage));
  return {
    storage,
    deps: {
      checks: readinessChecksFrom(app, (url, init) => fetch(url, init), storage),
      clock: app.clock,
      logger: (context) => app.logger(context, { component: 'readiness' }),
    },
  };
});

/**
 * The readiness checks, built once; for an invocation, its Marketplace probe is a span under the
 * invocation's span (the storage clients stay the process's).
 */
export function getReadinessDependencies(context?: InvocationContext): ReadinessDependencies {
  try {
    getConfig();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    // Not cached: once the settings are fixed (and the worker restarted) the real checks run.
    return { checks: [configurationCheck(error)], clock: systemClock, logger: () => consoleLogger({ fields: { component: 'readiness' } }) };
  }
  return readinessWiring(context).deps;
}
