import { learnPlans, type CatalogPlan, type PlanCatalog } from '../catalog';
import type { Clock } from '../clock';
import { NotFoundError } from '../errors';
import type { Logger } from '../logging';
import type { MarketplaceApi } from '../marketplace';
import type { HistoryEntry, HistoryStore, SubscriptionStore } from '../storage';
import type { SubscriptionRecord } from '../subscription/model';
import type { DetailQuery } from './adminQueries';

export interface SubscriptionDetailDeps {
  subscriptions: Pick<SubscriptionStore, 'get'>;
  history: Pick<HistoryStore, 'list'>;
  plans: Pick<PlanCatalog, 'listByOffer' | 'save'>;
  marketplace: Pick<MarketplaceApi, 'listAvailablePlans'>;
  clock: Clock;
  logger: Logger;
}

export interface SubscriptionDetail {
  subscription: SubscriptionRecord;
  /** The plan catalog of the subscription's offer (plans keyed by offer and plan), the current plan marked. */
  plans: Array<CatalogPlan & { current: boolean }>;
  /** The subscription's history, newest first, one page at a time. */
  history: { items: HistoryEntry[]; continuationToken?: string };
}

/** An offer holds at most 100 plans; this bounds the catalog read whatever happens. */
const MAX_PLAN_PAGES = 5;

/**
 * The record, its offer's plan catalog and its history (newest first). When the catalog knows no
 * plan of the offer yet, it is learned from List Available Plans first (best effort: without
 * Microsoft, the answer simply has no plans).
 */
export async function getSubscriptionDetail(deps: SubscriptionDetailDeps, subscriptionId: string, query: DetailQuery = {}): Promise<SubscriptionDetail> {
  const stored = await deps.subscriptions.get(subscriptionId);
  if (stored === undefined) throw new NotFoundError('Subscription', subscriptionId);
  const subscription = stored.value;
  let plans = await offerPlans(deps, subscription.offerId);
  if (plans.length === 0) {
    try {
      await learnPlans(deps, subscriptionId);
      plans = await offerPlans(deps, subscription.offerId);
    } catch (error) {
      deps.logger.warn('plan catalog could not be learned for the subscription detail', { subscriptionId, error });
    }
  }
  const history = await deps.history.list(subscriptionId, { limit: query.historyPageSize, continuationToken: query.historyContinuationToken });
  return {
    subscription,
    plans: plans.map((plan) => ({ ...plan, current: plan.planId === subscription.planId })),
    history: history.continuationToken === undefined ? { items: history.items } : { items: history.items, continuationToken: history.continuationToken },
  };
}

async function offerPlans(deps: Pick<SubscriptionDetailDeps, 'plans'>, offerId: string): Promise<CatalogPlan[]> {
  const plans: CatalogPlan[] = [];
  let continuationToken: string | undefined;
  for (let page = 0; page < MAX_PLAN_PAGES; page += 1) {
    const result = await deps.plans.listByOffer(offerId, { pageSize: 100, continuationToken });
    plans.push(...result.items);
    continuationToken = result.continuationToken;
    if (continuationToken === undefined) break;
  }
  return plans;
}
