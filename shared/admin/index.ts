export { adminDependenciesFrom, changeDeps, getAdminDependencies, reconcileDeps, trackDeps, type AdminDependencies } from './adminDependencies';
export {
  changePlanBodySchema,
  changeQuantityBodySchema,
  MAX_ADMIN_BODY_BYTES,
  parseDetailQuery,
  parseListQuery,
  subscriptionIdParam,
  type DetailQuery,
} from './adminQueries';
export { changeResponse, statusUrl } from './changeResponse';
export { listSubscriptionPage, type SubscriptionPageView } from './listSubscriptionPage';
export { getSubscriptionDetail, type SubscriptionDetail, type SubscriptionDetailDeps } from './subscriptionDetail';
