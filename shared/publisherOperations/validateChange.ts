import type { CatalogPlan } from '../catalog';
import type { SubscriptionRecord } from '../subscription/model';

/** A change the publisher asks for: one of plan, seats or cancellation per request (§2.6–2.8). */
export type PublisherChange = { action: 'ChangePlan'; planId: string } | { action: 'ChangeQuantity'; quantity: number } | { action: 'Unsubscribe' };

function seatRange(plan: CatalogPlan): string {
  return `${plan.minQuantity ?? 1}–${plan.maxQuantity ?? '∞'}`;
}

function fitsSeats(plan: CatalogPlan, quantity: number): boolean {
  return quantity >= (plan.minQuantity ?? 1) && quantity <= (plan.maxQuantity ?? Number.MAX_SAFE_INTEGER);
}

function updateIssues(subscription: SubscriptionRecord, what: string): string[] {
  const issues: string[] = [];
  if (subscription.status !== 'Subscribed') issues.push(`status: the subscription is ${subscription.status}; only Subscribed subscriptions can change ${what}`);
  if (!subscription.allowedCustomerOperations.includes('Update')) {
    issues.push('allowedCustomerOperations: Update is not allowed for this subscription (e.g. a CSP purchase)');
  }
  return issues;
}

function planIssues(subscription: SubscriptionRecord, available: readonly CatalogPlan[], planId: string): string[] {
  const issues = updateIssues(subscription, 'plan');
  if (planId === subscription.planId) return [...issues, `planId: the subscription is already on plan ${planId}`];
  const target = available.find((plan) => plan.planId === planId);
  if (target === undefined) {
    const offered = available.filter((plan) => plan.planId !== subscription.planId).map((plan) => plan.planId);
    return [...issues, `planId: plan ${planId} is not offered to this subscription (offered: ${offered.length > 0 ? offered.join(', ') : 'none'})`];
  }
  if (target.isPricePerSeat && subscription.quantity !== undefined && !fitsSeats(target, subscription.quantity)) {
    issues.push(`planId: plan ${planId} allows ${seatRange(target)} seats and the subscription has ${subscription.quantity}; change the seats first`);
  }
  return issues;
}

function quantityIssues(subscription: SubscriptionRecord, available: readonly CatalogPlan[], quantity: number): string[] {
  const issues = updateIssues(subscription, 'seats');
  const current = available.find((plan) => plan.planId === subscription.planId);
  if (current === undefined) return [...issues, `planId: the current plan ${subscription.planId} is not in Microsoft's list of available plans`];
  if (!current.isPricePerSeat) return [...issues, `quantity: plan ${current.planId} is not priced per seat`];
  if (quantity === subscription.quantity) issues.push(`quantity: the subscription already has ${quantity} seats`);
  else if (!fitsSeats(current, quantity)) issues.push(`quantity: plan ${current.planId} allows ${seatRange(current)} seats, not ${quantity}`);
  return issues;
}

function cancelIssues(subscription: SubscriptionRecord): string[] {
  const issues: string[] = [];
  if (subscription.status === 'Unsubscribed') issues.push('status: the subscription is already Unsubscribed');
  if (!subscription.allowedCustomerOperations.includes('Delete')) {
    issues.push('allowedCustomerOperations: Delete is not allowed for this subscription (e.g. a CSP purchase)');
  }
  return issues;
}

/**
 * Why Microsoft would refuse `change` (marketplace-api.md §2.6–2.8), checked before asking it:
 * status, `allowedCustomerOperations`, a different plan that List Available Plans offers to this
 * subscription, seats within the plan's minimum and maximum. Empty when the change may be sent.
 * `available` is what List Available Plans returned for this subscription (current plan included).
 */
export function changeIssues(subscription: SubscriptionRecord, available: readonly CatalogPlan[], change: PublisherChange): string[] {
  switch (change.action) {
    case 'ChangePlan':
      return planIssues(subscription, available, change.planId);
    case 'ChangeQuantity':
      return quantityIssues(subscription, available, change.quantity);
    case 'Unsubscribe':
      return cancelIssues(subscription);
  }
}
