import type { CatalogPlan, PlanCatalog } from '../catalog';
import type { Clock } from '../clock';
import type { SubscriptionStore } from '../storage';
import type { SubscriptionRecord } from '../subscription/model';

/** Subscribed records are reused this long (a change away from Subscribed is seen within it). */
export const SUBSCRIPTION_CACHE_MS = 30_000;
/** Plans are reused this long before the catalog table is read again. */
export const PLAN_CACHE_MS = 5 * 60_000;
/** A dimension missing from a plan learned longer ago than this makes us ask Microsoft again (once). */
export const PLAN_RELEARN_AFTER_MS = 15 * 60_000;
const MAX_CACHED = 10_000;

export interface MeteringLookups {
  /** The local record, or undefined when the subscription is unknown. */
  subscription(subscriptionId: string): Promise<SubscriptionRecord | undefined>;
  /** The subscription's plan from the catalog, learned from Microsoft when missing or stale for `dimension`. */
  plan(subscription: SubscriptionRecord, dimension: string): Promise<CatalogPlan | undefined>;
}

export interface MeteringLookupDeps {
  subscriptions: Pick<SubscriptionStore, 'get'>;
  plans: Pick<PlanCatalog, 'get'>;
  /** learnPlans bound to its dependencies. */
  learn(subscriptionId: string): Promise<CatalogPlan[]>;
  clock: Clock;
}

class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly clock: Clock) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.until <= this.clock.now().getTime()) return undefined;
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (this.entries.size >= MAX_CACHED) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, until: this.clock.now().getTime() + ttlMs });
  }
}

/**
 * Cached look-ups for ingestion, so that a busy subscription costs one Table read every 30 s rather
 * than one per request. Only Subscribed records are cached: a subscription that has just been
 * activated is accepted at once. Learning is shared by concurrent callers.
 */
export function createMeteringLookups(deps: MeteringLookupDeps): MeteringLookups {
  const subscriptions = new TtlCache<SubscriptionRecord>(deps.clock);
  const plans = new TtlCache<CatalogPlan>(deps.clock);
  const learning = new Map<string, Promise<CatalogPlan[]>>();
  const planKey = (offerId: string, planId: string): string => `${offerId}\u0000${planId}`;

  const learn = (subscriptionId: string): Promise<CatalogPlan[]> => {
    let pending = learning.get(subscriptionId);
    if (pending === undefined) {
      pending = deps.learn(subscriptionId).finally(() => learning.delete(subscriptionId));
      learning.set(subscriptionId, pending);
    }
    return pending;
  };

  const learnAndFind = async (subscription: SubscriptionRecord): Promise<CatalogPlan | undefined> => {
    const learned = await learn(subscription.id);
    for (const plan of learned) plans.set(planKey(plan.offerId, plan.planId), plan, PLAN_CACHE_MS);
    return learned.find((plan) => plan.offerId === subscription.offerId && plan.planId === subscription.planId);
  };

  return {
    async subscription(subscriptionId) {
      const cached = subscriptions.get(subscriptionId);
      if (cached !== undefined) return cached;
      const read = await deps.subscriptions.get(subscriptionId);
      if (read?.value.status === 'Subscribed') subscriptions.set(subscriptionId, read.value, SUBSCRIPTION_CACHE_MS);
      return read?.value;
    },

    async plan(subscription, dimension) {
      const key = planKey(subscription.offerId, subscription.planId);
      let plan = plans.get(key);
      if (plan === undefined) {
        plan = await deps.plans.get(subscription.offerId, subscription.planId);
        if (plan !== undefined) plans.set(key, plan, PLAN_CACHE_MS);
      }
      if (plan === undefined) return learnAndFind(subscription);
      const known = plan.meteringDimensions.some((d) => d.id === dimension);
      const stale = deps.clock.now().getTime() - Date.parse(plan.learnedAt) > PLAN_RELEARN_AFTER_MS;
      return known || !stale ? plan : ((await learnAndFind(subscription)) ?? plan);
    },
  };
}
