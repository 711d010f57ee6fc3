export { driftedFields, pickFields, sameTerm } from './driftedFields';
export { forEachLimited } from './forEachLimited';
export { isReconcileHour, RECONCILE_SCHEDULE } from './reconcileSchedule';
export { reconcileSubscription, type RepairDeps, type RepairResult, type RunContext } from './reconcileSubscription';
export { MAX_LISTED_FAILURES, reconcileSubscriptions, type ReconcileDeps, type ReconcileReport } from './reconcileSubscriptions';
export { recoverOperations, type RecoverOperationsDeps } from './recoverOperations';
export { catalogRefresher, type CatalogCounts } from './refreshCatalog';
