import { findOffer, findPlan, isPlanVisibleTo, type Plan } from './catalog';
import type { EmulatorContext } from './context';
import { apiError } from './http';
import type { SubscriptionRecord } from './model';

export type ChangeRequest = { action: 'ChangePlan'; planId: string } | { action: 'ChangeQuantity'; quantity: number };

const badRequest = (message: string) => apiError(400, 'BadRequest', message);

/** Plans the beneficiary can switch to (public, or private with its tenant in the audience; not stop-sell) plus the current plan. */
export function availablePlans(ctx: EmulatorContext, sub: SubscriptionRecord): Plan[] {
  const offer = findOffer(ctx.catalog, sub.offerId);
  if (!offer) return [];
  return offer.plans.filter(
    (plan) => plan.planId === sub.planId || (!plan.isStopSell && isPlanVisibleTo(plan, sub.beneficiary.tenantId)),
  );
}

export function currentPlan(ctx: EmulatorContext, sub: SubscriptionRecord): Plan {
  const plan = findPlan(ctx.catalog, sub.offerId, sub.planId);
  if (!plan) throw apiError(500, 'InternalServerError', `Plan ${sub.planId} is missing from the catalog.`);
  return plan;
}

/** The plans a ChangePlan to would be accepted now: available, not the current one, and the current seats fit. */
export function switchablePlans(ctx: EmulatorContext, sub: SubscriptionRecord): Plan[] {
  return availablePlans(ctx, sub).filter((plan) => {
    if (plan.planId === sub.planId) return false;
    if (!plan.isPricePerSeat || sub.quantity === undefined) return true;
    return sub.quantity >= (plan.minQuantity ?? 1) && sub.quantity <= (plan.maxQuantity ?? Number.MAX_SAFE_INTEGER);
  });
}

export function checkQuantityFits(plan: Plan, quantity: number): void {
  if (!plan.isPricePerSeat) throw badRequest(`Plan ${plan.planId} is not priced per seat; quantity is not allowed.`);
  if (!Number.isInteger(quantity) || quantity < (plan.minQuantity ?? 1) || quantity > (plan.maxQuantity ?? Number.MAX_SAFE_INTEGER)) {
    throw badRequest(`Quantity ${quantity} is outside the limits of plan ${plan.planId} (${plan.minQuantity ?? 1}-${plan.maxQuantity ?? '∞'}).`);
  }
}

/**
 * Validates a plan or quantity change (§2.6, §2.7): one of planId or quantity, never both; the
 * subscription must be Subscribed; `Update` must be allowed when the publisher asks; the plan must
 * be available and different; the quantity must be different and within the plan's limits.
 */
export function validateChange(
  ctx: EmulatorContext,
  sub: SubscriptionRecord,
  body: { planId?: unknown; quantity?: unknown },
  options: { enforceAllowedOperations: boolean },
): ChangeRequest {
  const hasPlan = body.planId !== undefined && body.planId !== null;
  const hasQuantity = body.quantity !== undefined && body.quantity !== null;
  if (hasPlan && hasQuantity) throw badRequest('Change either the plan or the quantity in one request, not both.');
  if (!hasPlan && !hasQuantity) throw badRequest('The request must contain planId or quantity.');
  if (sub.status !== 'Subscribed') throw badRequest(`Subscription ${sub.id} is ${sub.status}; only Subscribed subscriptions can be updated.`);
  if (options.enforceAllowedOperations && !sub.allowedCustomerOperations.includes('Update')) {
    throw badRequest('Update is not in allowedCustomerOperations for this subscription.');
  }
  if (hasPlan) {
    if (typeof body.planId !== 'string' || body.planId === '') throw badRequest('planId must be a non-empty string.');
    if (body.planId === sub.planId) throw badRequest(`Subscription ${sub.id} is already on plan ${sub.planId}.`);
    const target = availablePlans(ctx, sub).find((plan) => plan.planId === body.planId);
    if (!target) throw badRequest(`Plan ${body.planId} is not available to this subscription.`);
    if (target.isPricePerSeat && sub.quantity !== undefined) checkQuantityFits(target, sub.quantity);
    return { action: 'ChangePlan', planId: target.planId };
  }
  if (typeof body.quantity !== 'number') throw badRequest('quantity must be an integer.');
  const plan = currentPlan(ctx, sub);
  if (body.quantity === sub.quantity) throw badRequest(`Subscription ${sub.id} already has quantity ${sub.quantity}.`);
  checkQuantityFits(plan, body.quantity);
  return { action: 'ChangeQuantity', quantity: body.quantity };
}
