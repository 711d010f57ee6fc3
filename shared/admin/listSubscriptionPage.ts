import type { ListSubscriptionsOptions, SubscriptionStore } from '../storage';
import type { SubscriptionRecord } from '../subscription/model';

export interface SubscriptionPageView {
  items: SubscriptionRecord[];
  /** Present when more may follow (a page may be short, even empty). */
  continuationToken?: string;
  /** The next page's URL path with the same filters. */
  nextLink?: string;
}

const FILTERS = ['status', 'offerId', 'planId', 'isTest', 'pageSize'] as const;

/** One page of stored subscriptions, filtered (AND) by status, offer, plan and test flag, ordered by id. */
export async function listSubscriptionPage(deps: { subscriptions: Pick<SubscriptionStore, 'list'> }, options: ListSubscriptionsOptions): Promise<SubscriptionPageView> {
  const page = await deps.subscriptions.list(options);
  const view: SubscriptionPageView = { items: page.items.map((item) => item.value) };
  if (page.continuationToken !== undefined) {
    const query = new URLSearchParams();
    for (const name of FILTERS) if (options[name] !== undefined) query.set(name, String(options[name]));
    query.set('continuationToken', page.continuationToken);
    view.continuationToken = page.continuationToken;
    view.nextLink = `/api/subscriptions?${query.toString()}`;
  }
  return view;
}
