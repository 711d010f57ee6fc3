import { learnPlans, type LearnPlansDeps } from '../catalog';
import type { Logger } from '../logging';
import type { MarketplaceSubscription } from '../marketplace';

export interface CatalogCounts {
  /** Offer and plan pairs List Available Plans was asked about. */
  asked: number;
  plansSaved: number;
  failed: number;
}

/**
 * A plan catalog refresher for one run: asks List Available Plans once per offer and plan in use,
 * through the first Subscribed subscription on it (a private plan is listed to its own subscribers,
 * so it is learned too). Best effort: a failure is counted and logged, nothing else. Memory: one
 * key per plan on sale.
 */
export function catalogRefresher(deps: LearnPlansDeps, counts: CatalogCounts, logger: Logger): (truth: MarketplaceSubscription) => Promise<void> {
  const asked = new Set<string>();
  return async (truth) => {
    const pair = `${truth.offerId}\u0000${truth.planId}`;
    if (truth.saasSubscriptionStatus !== 'Subscribed' || asked.has(pair)) return;
    asked.add(pair);
    counts.asked += 1;
    try {
      const learned = await learnPlans(deps, truth.id);
      counts.plansSaved += learned.length;
    } catch (error) {
      counts.failed += 1;
      logger.warn('plan catalog not refreshed for a plan in use', { offerId: truth.offerId, planId: truth.planId, error });
    }
  };
}
