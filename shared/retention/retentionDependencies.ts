import type { InvocationContext } from '@azure/functions';
import type { Clock } from '../clock';
import type { RetentionSettings } from '../config';
import { getDependencies, storageSettingsFrom, type AppDependencies } from '../dependencies';
import type { LogFields, Logger } from '../logging';
import type { JobRunStore } from '../runs';
import type { HistoryStore, SubscriptionStore } from '../storage';
import { createPersonalDataStore, type PersonalDataStore } from '../storage/personalDataStore';

/** What the retention timer and the erase / remove endpoints need, wired once. */
export interface RetentionDependencies {
  subscriptions: SubscriptionStore;
  history: HistoryStore;
  personalData: PersonalDataStore;
  /** The timer records its runs here (the `retention` job). */
  runs: JobRunStore;
  clock: Clock;
  settings: RetentionSettings;
  logger(context: InvocationContext, fields?: LogFields): Logger;
}

export function retentionDependenciesFrom(app: AppDependencies, personalData: PersonalDataStore): RetentionDependencies {
  return {
    subscriptions: app.subscriptions,
    history: app.history,
    personalData,
    runs: app.runs,
    clock: app.clock,
    settings: app.config.retention,
    logger: (context, fields) => app.logger(context, { component: 'retention', ...fields }),
  };
}

let cached: RetentionDependencies | undefined;

export function getRetentionDependencies(): RetentionDependencies {
  if (cached === undefined) {
    const app = getDependencies();
    cached = retentionDependenciesFrom(app, createPersonalDataStore(storageSettingsFrom(app.config.storage)));
  }
  return cached;
}
