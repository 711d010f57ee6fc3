import { randomUUID } from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import type { PlanCatalog } from '../catalog';
import type { Clock } from '../clock';
import type { PublisherOperationSettings, ReconciliationSettings } from '../config';
import { getDependencies, perInvocation, type AppDependencies } from '../dependencies';
import type { IsvHooks } from '../isv/hooks';
import type { LogFields, Logger } from '../logging';
import type { MarketplaceApi } from '../marketplace';
import type { OperationMessage } from '../operations/operationMessage';
import type { RequestChangeDeps, TrackingMessage, TrackOperationDeps } from '../publisherOperations';
import type { ReconcileDeps } from '../reconciliation';
import type { JobRunStore } from '../runs';
import { QUEUE_NAMES, type HistoryStore, type MessageQueue, type OperationLedger, type SubscriptionStore } from '../storage';

/** What the admin API, the publisher operation tracker and reconciliation need, wired once. */
export interface AdminDependencies {
  subscriptions: SubscriptionStore;
  history: HistoryStore;
  operations: OperationLedger;
  plans: PlanCatalog;
  marketplace: MarketplaceApi;
  isv: IsvHooks;
  /** The last run of each timer job: reconciliation records its runs here. */
  runs: JobRunStore;
  clock: Clock;
  trackingQueue: MessageQueue<TrackingMessage>;
  operationsQueue: MessageQueue<OperationMessage>;
  newId: () => string;
  config: { publisherOperations: PublisherOperationSettings; reconciliation: ReconciliationSettings };
  logger(context: InvocationContext, fields?: LogFields): Logger;
}

export function adminDependenciesFrom(app: AppDependencies): AdminDependencies {
  return {
    subscriptions: app.subscriptions,
    history: app.history,
    operations: app.operations,
    plans: app.plans,
    marketplace: app.marketplace,
    isv: app.isv,
    runs: app.runs,
    clock: app.clock,
    trackingQueue: app.queue<TrackingMessage>(QUEUE_NAMES.publisherOperations),
    operationsQueue: app.queue<OperationMessage>(QUEUE_NAMES.operations),
    newId: randomUUID,
    config: { publisherOperations: app.config.publisherOperations, reconciliation: app.config.reconciliation },
    logger: (context, fields) => app.logger(context, { component: 'admin', ...fields }),
  };
}

/** The admin wiring; for an invocation, its queues' and Marketplace calls' spans are under the invocation's span. */
export const getAdminDependencies: (context?: InvocationContext) => AdminDependencies = perInvocation(getDependencies, adminDependenciesFrom);

export function changeDeps(deps: AdminDependencies, logger: Logger): RequestChangeDeps {
  return { ...deps, logger, queue: deps.trackingQueue, settings: deps.config.publisherOperations };
}

export function trackDeps(deps: AdminDependencies, logger: Logger): TrackOperationDeps {
  return { ...deps, logger, queue: deps.trackingQueue, settings: deps.config.publisherOperations };
}

export function reconcileDeps(deps: AdminDependencies, logger: Logger): ReconcileDeps {
  const { concurrency, checkOperations } = deps.config.reconciliation;
  return { ...deps, logger, settings: { concurrency, checkOperations } };
}
