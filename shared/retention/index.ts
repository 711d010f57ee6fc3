export { enforceRetention, endedAt, isErasureDue, type EnforceRetentionDeps, type RetentionReport } from './enforceRetention';
export { erasePersonalData, type ErasePersonalDataDeps, type ErasureReason, type ErasureReport } from './erasePersonalData';
export {
  MAX_REMOVE_IDS,
  removeTestSubscriptions,
  removeTestSubscriptionsBodySchema,
  type RemovalReport,
  type RemoveTestSubscriptionsDeps,
  type RemoveTestSubscriptionsInput,
} from './removeTestSubscriptions';
export { getRetentionDependencies, retentionDependenciesFrom, type RetentionDependencies } from './retentionDependencies';
