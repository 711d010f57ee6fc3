import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getAdminDependencies, reconcileDeps, type AdminDependencies } from '../shared/admin';
import { isReconcileHour, RECONCILE_SCHEDULE, reconcileSubscriptions as reconcile, type ReconcileReport } from '../shared/reconciliation';

/**
 * Timer, minute 20 of every hour (UTC): reconciles with the marketplace when the hour is a multiple
 * of RECONCILE_EVERY_HOURS (0: never). Throws when Microsoft cannot be listed, so the failure shows.
 */
export function createReconcileSubscriptionsHandler(getDeps: (context: InvocationContext) => AdminDependencies) {
  return async function reconcileSubscriptions(_timer: Timer, context: InvocationContext): Promise<ReconcileReport | undefined> {
    const deps = getDeps(context);
    const logger = deps.logger(context, { component: 'reconciliation' });
    if (!isReconcileHour(deps.clock.now(), deps.config.reconciliation.everyHours)) {
      logger.debug('not a reconciliation hour', { everyHours: deps.config.reconciliation.everyHours });
      return undefined;
    }
    return reconcile(reconcileDeps(deps, logger));
  };
}

app.timer('reconcileSubscriptions', { schedule: RECONCILE_SCHEDULE, runOnStartup: false, handler: createReconcileSubscriptionsHandler(getAdminDependencies) });
