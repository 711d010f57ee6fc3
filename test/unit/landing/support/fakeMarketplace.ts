import { MarketplaceApiError, type MarketplaceApi, type MarketplaceSubscription, type Plan, type ResolvedSubscription, type SubscriberPlan } from '../../../../shared/marketplace';
import { buildMarketplaceSubscription as buildFixture } from '../../../fixtures/buildMarketplaceSubscription';

export const SUBSCRIPTION_ID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
export const OTHER_SUBSCRIPTION_ID = '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
/** Shaped like a real decoded token: it holds `+`, `/` and `=`. */
export const PURCHASE_TOKEN = 'Zm9v+YmFy/YmF6==';

/** A pending per-seat purchase as Resolve / Get subscription return it. */
export function buildMarketplaceSubscription(overrides: Partial<MarketplaceSubscription> = {}): MarketplaceSubscription {
  return buildFixture({ id: SUBSCRIPTION_ID, ...overrides });
}

export const TEAM_PLAN: Plan = {
  planId: 'team',
  displayName: 'Team',
  description: 'Per user, 1 to 50 seats.',
  isPricePerSeat: true,
  minQuantity: 1,
  maxQuantity: 50,
  planComponents: {
    recurrentBillingTerms: [
      { termUnit: 'P1M', price: 10, currency: 'USD', termDescription: '1 Month Subscription' },
      { termUnit: 'P1Y', price: 100, currency: 'USD', termDescription: '1 Year Subscription' },
    ],
  },
};

export function marketplaceError(operation: string, status: number | undefined, kind: 'http' | 'timeout' | 'network' = 'http'): MarketplaceApiError {
  return new MarketplaceApiError({ kind, operation, status });
}

type Method = 'resolve' | 'getSubscription' | 'listAvailablePlans' | 'activate';

/**
 * The four Marketplace calls the landing page and activation use, in memory: purchases keyed by
 * token, Activate with Microsoft's rules (plan and seats must match; only pending subscriptions),
 * scripted failures per method, and a log of calls.
 */
export class FakeMarketplace implements Pick<MarketplaceApi, Method> {
  readonly subscriptions = new Map<string, MarketplaceSubscription>();
  readonly tokens = new Map<string, string>();
  readonly calls: Array<{ method: Method; args: unknown[] }> = [];
  plans: Plan[] = [TEAM_PLAN];
  private readonly failures: Partial<Record<Method, Error[]>> = {};

  constructor(subscription: MarketplaceSubscription = buildMarketplaceSubscription(), token = PURCHASE_TOKEN) {
    this.add(subscription, token);
  }

  add(subscription: MarketplaceSubscription, token?: string): this {
    this.subscriptions.set(subscription.id, structuredClone(subscription));
    if (token !== undefined) this.tokens.set(token, subscription.id);
    return this;
  }

  /** The next calls of `method` throw these errors, in order. */
  fail(method: Method, ...errors: Error[]): this {
    (this.failures[method] ??= []).push(...errors);
    return this;
  }

  callsOf(method: Method): unknown[][] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  status(id: string): string | undefined {
    return this.subscriptions.get(id)?.saasSubscriptionStatus;
  }

  private enter(method: Method, args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures[method]?.shift();
    if (failure !== undefined) throw failure;
  }

  private find(operation: string, id: string): MarketplaceSubscription {
    const subscription = this.subscriptions.get(id);
    if (subscription === undefined) throw marketplaceError(operation, 404);
    return subscription;
  }

  async resolve(purchaseToken: string): Promise<ResolvedSubscription> {
    await Promise.resolve();
    this.enter('resolve', [purchaseToken]);
    const id = this.tokens.get(purchaseToken);
    if (id === undefined) throw marketplaceError('resolve', 400);
    const subscription = structuredClone(this.find('resolve', id));
    return { id, subscriptionName: subscription.name, offerId: subscription.offerId, planId: subscription.planId, quantity: subscription.quantity, subscription };
  }

  async getSubscription(subscriptionId: string): Promise<MarketplaceSubscription> {
    await Promise.resolve();
    this.enter('getSubscription', [subscriptionId]);
    return structuredClone(this.find('getSubscription', subscriptionId));
  }

  async listAvailablePlans(subscriptionId: string): Promise<Plan[]> {
    await Promise.resolve();
    this.enter('listAvailablePlans', [subscriptionId]);
    return structuredClone(this.plans);
  }

  async activate(subscriptionId: string, plan: SubscriberPlan): Promise<void> {
    await Promise.resolve();
    this.enter('activate', [subscriptionId, plan]);
    const subscription = this.find('activate', subscriptionId);
    if (subscription.saasSubscriptionStatus === 'Unsubscribed') throw marketplaceError('activate', 404);
    if (subscription.saasSubscriptionStatus !== 'PendingFulfillmentStart') throw marketplaceError('activate', 400);
    if (plan.planId !== subscription.planId || plan.quantity !== subscription.quantity) throw marketplaceError('activate', 400);
    subscription.saasSubscriptionStatus = 'Subscribed';
    subscription.term = { ...subscription.term, startDate: '2026-03-01T00:00:00Z', endDate: '2026-03-31T00:00:00Z' };
  }
}
