import type { InvocationContext } from '@azure/functions';
import { getDependencies, perInvocation, storageSettingsFrom, type AppDependencies } from '../dependencies';
import type { Logger } from '../logging';
import { QUEUE_NAMES } from '../storage';
import { MAX_DEQUEUE_COUNT } from '../storage/queueNames';
import type { OperationMessage } from './operationMessage';
import type { PoisonQueueStore } from './poisonQueue';
import type { ProcessOperationDeps } from './processOperation';
import { createStoragePoisonQueueStore } from './storagePoisonQueueStore';

/** host.json `extensions.queues.maxDequeueCount` (one constant, in shared/storage). */
export { MAX_DEQUEUE_COUNT };

export interface OperationsDependencies extends Omit<ProcessOperationDeps, 'logger'> {
  logger(context: InvocationContext, fields?: Record<string, unknown>): Logger;
}

export function operationsDependenciesFrom(app: AppDependencies): OperationsDependencies {
  return {
    operations: app.operations,
    subscriptions: app.subscriptions,
    history: app.history,
    marketplace: app.marketplace,
    isv: app.isv,
    queue: app.queue<OperationMessage>(QUEUE_NAMES.operations),
    clock: app.clock,
    settings: { decisionTimeoutMs: app.config.isv.decisionTimeoutMs, maxDequeueCount: MAX_DEQUEUE_COUNT },
    logger: (context, fields) => app.logger(context, { component: 'processOperation', ...fields }),
  };
}

/** The operations wiring; for an invocation, its Marketplace calls, hooks and queue sends are spans under the invocation's span. */
export const getOperationsDependencies: (context?: InvocationContext) => OperationsDependencies = perInvocation(getDependencies, operationsDependenciesFrom);

export interface PoisonAdminDependencies {
  poison: PoisonQueueStore;
  logger(context: InvocationContext): Logger;
}

let cachedPoison: PoisonAdminDependencies | undefined;

export function getPoisonAdminDependencies(): PoisonAdminDependencies {
  if (cachedPoison === undefined) {
    const app = getDependencies();
    cachedPoison = {
      poison: createStoragePoisonQueueStore(storageSettingsFrom(app.config.storage)),
      logger: (context) => app.logger(context, { component: 'poisonAdmin' }),
    };
  }
  return cachedPoison;
}
