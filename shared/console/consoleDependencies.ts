import type { InvocationContext } from '@azure/functions';
import { getAdminDependencies, type AdminDependencies } from '../admin';
import type { ConsoleSettings } from '../config';
import { getDependencies, type AppDependencies } from '../dependencies';
import type { Logger } from '../logging';
import type { UsageStore } from '../metering';
import { getPoisonAdminDependencies } from '../operations/operationsDependencies';
import type { PoisonQueueStore } from '../operations/poisonQueue';
import { checkReadiness, getReadinessDependencies, type ReadinessReport } from '../readiness';
import type { OperationLog, SubscriptionSearchIndex } from '../storage';
import { cachedStatusCounts, type StatusCountsView } from './statusCounts';

/** Everything the console reads and acts through: the admin use cases' dependencies and a few readers. */
export interface ConsoleDeps {
  settings: Readonly<ConsoleSettings>;
  admin: AdminDependencies;
  operationLog: OperationLog;
  searchIndex: SubscriptionSearchIndex;
  /** The overview's subscriptions by status (counted at most once a minute per process). */
  statusCounts: () => Promise<StatusCountsView>;
  usage: Pick<UsageStore, 'listBuckets' | 'sumBucket' | 'listPending'>;
  poison: PoisonQueueStore;
  /** The readiness checks of GET /api/health/ready, run for the overview (absent: not shown). */
  readiness?: () => Promise<ReadinessReport>;
  logger: Logger;
}

/** The parts of the process-wide wiring the console uses, built once. */
export interface ConsoleAppDependencies {
  app: Pick<AppDependencies, 'config' | 'operationLog' | 'searchIndex' | 'usage' | 'logger'>;
  /** The admin use cases' dependencies for an invocation (their spans under its span). */
  admin: (context: InvocationContext) => AdminDependencies;
  poison: PoisonQueueStore;
  statusCounts: () => Promise<StatusCountsView>;
  readiness?: (context: InvocationContext) => Promise<ReadinessReport>;
}

let cached: ConsoleAppDependencies | undefined;

export function getConsoleAppDependencies(): ConsoleAppDependencies {
  if (cached === undefined) {
    const app = getDependencies();
    const readiness = (context: InvocationContext): Promise<ReadinessReport> => {
      const deps = getReadinessDependencies(context);
      return checkReadiness({ checks: deps.checks, clock: deps.clock, logger: deps.logger(context) });
    };
    const statusCounts = cachedStatusCounts(app.subscriptionStatuses, app.clock);
    cached = { app, admin: getAdminDependencies, poison: getPoisonAdminDependencies().poison, statusCounts, readiness };
  }
  return cached;
}

/** Narrows the wiring to one console invocation. */
export function consoleDependencies(wiring: ConsoleAppDependencies, context: InvocationContext): ConsoleDeps {
  const { app } = wiring;
  return {
    settings: app.config.console,
    admin: wiring.admin(context),
    operationLog: app.operationLog,
    searchIndex: app.searchIndex,
    statusCounts: wiring.statusCounts,
    usage: app.usage,
    poison: wiring.poison,
    readiness: wiring.readiness && (() => (wiring.readiness as NonNullable<typeof wiring.readiness>)(context)),
    logger: app.logger(context, { component: 'console' }),
  };
}
