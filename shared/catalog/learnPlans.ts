import type { Clock } from '../clock';
import { NotFoundError } from '../errors';
import type { Logger } from '../logging';
import type { MarketplaceApi } from '../marketplace';
import type { SubscriptionStore } from '../storage';
import { catalogPlanFromMarketplace, type CatalogPlan, type PlanCatalog } from './planCatalog';

export interface LearnPlansDeps {
  subscriptions: Pick<SubscriptionStore, 'get'>;
  marketplace: Pick<MarketplaceApi, 'listAvailablePlans'>;
  plans: Pick<PlanCatalog, 'save'>;
  clock: Clock;
  logger?: Pick<Logger, 'info'>;
}

/**
 * Asks Microsoft which plans the subscription may hold (List Available Plans: public and private
 * plans, including its current one) and stores them under the subscription's offer. Returns the
 * plans learned. NotFoundError when the subscription is not known locally (its offer is needed for
 * the key); MarketplaceApiError when Microsoft cannot be asked.
 */
export async function learnPlans(deps: LearnPlansDeps, subscriptionId: string): Promise<CatalogPlan[]> {
  const subscription = await deps.subscriptions.get(subscriptionId);
  if (subscription === undefined) throw new NotFoundError('Subscription', subscriptionId);
  const listed = await deps.marketplace.listAvailablePlans(subscriptionId);
  const learned = { at: deps.clock.now().toISOString(), subscriptionId };
  const plans = listed.map((plan) => catalogPlanFromMarketplace(subscription.value.offerId, plan, learned));
  await deps.plans.save(plans);
  deps.logger?.info('plans learned', { subscriptionId, offerId: subscription.value.offerId, plans: plans.map((p) => p.planId) });
  return plans;
}
