import type { MarketplaceSubscription } from '../marketplace';
import { withoutPersonalData } from './personalData';
import { isSubscriptionStatus, type SubscriptionRecord, type SubscriptionStatus } from './model';

/**
 * Microsoft's view of a subscription as our record. Status values we do not know (such as the
 * OpenAPI's `NotStarted`) keep the status we had, or PendingFulfillmentStart for a new record, so an
 * unexpected value never moves a subscription. Our own bookkeeping (createdAt, lastError,
 * retainUntil, personalDataErasedAt) is kept from `existing`; once erased, personal data is not copied.
 */
export function recordFromMarketplace(subscription: MarketplaceSubscription, now: string, existing?: SubscriptionRecord): SubscriptionRecord {
  const status: SubscriptionStatus = isSubscriptionStatus(subscription.saasSubscriptionStatus)
    ? subscription.saasSubscriptionStatus
    : (existing?.status ?? 'PendingFulfillmentStart');
  const record: SubscriptionRecord = {
    ...existing,
    id: subscription.id,
    name: subscription.name ?? existing?.name ?? '',
    offerId: subscription.offerId,
    planId: subscription.planId,
    status,
    term: { ...subscription.term },
    autoRenew: subscription.autoRenew ?? existing?.autoRenew ?? true,
    isTest: subscription.isTest ?? false,
    isFreeTrial: subscription.isFreeTrial ?? false,
    allowedCustomerOperations: [...(subscription.allowedCustomerOperations ?? ['Read', 'Update', 'Delete'])],
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  assignDefined(record, {
    publisherId: subscription.publisherId,
    quantity: subscription.quantity,
    sandboxType: subscription.sandboxType,
    sessionMode: subscription.sessionMode,
    purchaser: subscription.purchaser && { ...subscription.purchaser },
    beneficiary: subscription.beneficiary && { ...subscription.beneficiary },
  });
  if (subscription.quantity === undefined) delete record.quantity;
  // Erased personal data stays erased, whatever Microsoft still reports.
  return record.personalDataErasedAt === undefined ? record : withoutPersonalData(record, record.personalDataErasedAt);
}

/**
 * `truth` with our seats filled in when Microsoft's reading omits `quantity` for the very plan we hold
 * seats on. Per-seat subscriptions always carry a quantity (marketplace-api.md §2.9), so such a
 * reading is incomplete (Microsoft's own emulator drops it after a plan change), not a change to no
 * seats: seats never vanish without a plan change, whichever path reads Microsoft (webhook, tracker,
 * reconciliation). With a different plan, no quantity means the new plan is flat rate: seats go.
 * Apply it once, against the record as it was before converging, never to a record half-converged.
 */
export function withKnownSeats(truth: MarketplaceSubscription, local: Pick<SubscriptionRecord, 'planId' | 'quantity'>): MarketplaceSubscription {
  if (truth.quantity !== undefined || local.quantity === undefined || truth.planId !== local.planId) return truth;
  return { ...truth, quantity: local.quantity };
}

/** The fields Microsoft owns, compared; our bookkeeping (timestamps, lastError) is ignored. */
export function marketplaceFieldsDiffer(a: SubscriptionRecord, b: SubscriptionRecord): string[] {
  const fields = ['status', 'offerId', 'planId', 'quantity', 'name', 'autoRenew', 'isTest', 'isFreeTrial', 'sandboxType', 'sessionMode'] as const;
  const differing: string[] = fields.filter((field) => a[field] !== b[field]);
  if (JSON.stringify(a.term) !== JSON.stringify(b.term)) differing.push('term');
  if (JSON.stringify(a.allowedCustomerOperations) !== JSON.stringify(b.allowedCustomerOperations)) differing.push('allowedCustomerOperations');
  return differing;
}

function assignDefined<T extends object>(target: T, values: Partial<T>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
}
