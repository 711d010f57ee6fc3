export { createPlanCatalog, PLAN_TABLE } from './createPlanCatalog';
export { learnPlans, type LearnPlansDeps } from './learnPlans';
export {
  catalogPlanFromMarketplace,
  DEFAULT_PLAN_PAGE_SIZE,
  dimensionIds,
  type CatalogBillingTerm,
  type CatalogDimension,
  type CatalogPlan,
  type ListPlansOptions,
  type PlanCatalog,
} from './planCatalog';
