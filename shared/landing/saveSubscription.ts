import { AlreadyExistsError } from '../errors';
import type { MarketplaceSubscription } from '../marketplace';
import type { SubscriptionStore } from '../storage';
import { recordFromMarketplace } from '../subscription/fromMarketplace';
import type { SubscriptionRecord, Versioned } from '../subscription/model';

/**
 * Stores what Resolve returned. A first visit creates the record (conditional insert) as
 * PendingFulfillmentStart, or with Microsoft's end state when it is already Suspended or
 * Unsubscribed; a Subscribed one also starts pending, so that the activation use case records the
 * change (history row, ISV event). A later visit refreshes the record in place (ETag-conditional)
 * and never duplicates it. Writes nothing when nothing changed.
 */
export async function saveSubscription(
  store: Pick<SubscriptionStore, 'create' | 'updateWithRetry'>,
  subscription: MarketplaceSubscription,
  now: string,
): Promise<Versioned<SubscriptionRecord>> {
  const fresh = recordFromMarketplace(subscription, now);
  const initial: SubscriptionRecord = fresh.status === 'Subscribed' ? { ...fresh, status: 'PendingFulfillmentStart' } : fresh;
  try {
    return await store.create(initial);
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    return store.updateWithRetry(subscription.id, (existing) => refreshRecord(existing, subscription, now));
  }
}

/**
 * `existing` with Microsoft's current descriptive fields (name, purchaser, beneficiary, flags,
 * allowed operations, auto-renew). Lifecycle fields stay ours, because the events that change them
 * also write history and tell the ISV: the status always (a stale Resolve never moves a Subscribed
 * record back to pending), and once active the plan, the seats and a term that already has dates.
 * Undefined when nothing differs.
 */
export function refreshRecord(existing: SubscriptionRecord, subscription: MarketplaceSubscription, now: string): SubscriptionRecord | undefined {
  const next = recordFromMarketplace(subscription, now, existing);
  next.status = existing.status;
  if (existing.status !== 'PendingFulfillmentStart') {
    next.planId = existing.planId;
    if (existing.quantity === undefined) delete next.quantity;
    else next.quantity = existing.quantity;
    if (existing.term.startDate !== undefined) next.term = existing.term;
  }
  return canonical({ ...next, updatedAt: '' }) === canonical({ ...existing, updatedAt: '' }) ? undefined : next;
}

/** JSON with sorted keys and without undefined values, for comparing records. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}
