import { findPlan, type Catalog } from './catalog';
import { LAST_MODIFIED_SENTINEL, type OperationRecord, type SubscriptionRecord } from './model';

export type SubscriptionViewMode = 'get' | 'list' | 'webhook';

/**
 * The Subscription object (§2.9): `quantity` only for per-seat plans (webhook samples show `null`),
 * a term without dates before activation, and the `lastModified` sentinel in list results.
 */
export function subscriptionView(catalog: Catalog, sub: SubscriptionRecord, mode: SubscriptionViewMode = 'get'): Record<string, unknown> {
  const perSeat = findPlan(catalog, sub.offerId, sub.planId)?.isPricePerSeat ?? sub.quantity !== undefined;
  const term: Record<string, unknown> = { termUnit: sub.termUnit };
  if (sub.startDate !== undefined) term.startDate = sub.startDate;
  if (sub.endDate !== undefined) term.endDate = sub.endDate;
  if (mode === 'webhook') term.chargeDuration = null;
  const view: Record<string, unknown> = {
    id: sub.id,
    publisherId: catalog.publisherId,
    offerId: sub.offerId,
    name: sub.name,
    saasSubscriptionStatus: sub.status,
    beneficiary: { ...sub.beneficiary },
    purchaser: { ...sub.purchaser },
    planId: sub.planId,
  };
  if (perSeat && sub.quantity !== undefined) view.quantity = sub.quantity;
  else if (mode === 'webhook') view.quantity = null;
  Object.assign(view, {
    term,
    autoRenew: sub.autoRenew,
    isTest: sub.isTest,
    isFreeTrial: sub.isFreeTrial,
    allowedCustomerOperations: [...sub.allowedCustomerOperations],
    sandboxType: sub.sandboxType,
    sessionMode: sub.sessionMode,
    created: sub.created,
    lastModified: mode === 'list' ? LAST_MODIFIED_SENTINEL : sub.lastModified,
  });
  return view;
}

/** The Operation object (§3) as Get Operation and the outstanding-operations list return it. */
export function operationView(catalog: Catalog, op: OperationRecord, sub: SubscriptionRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: op.id,
    activityId: op.id,
    publisherId: catalog.publisherId,
    offerId: sub.offerId,
    planId: op.planId,
  };
  if (op.quantity !== undefined) view.quantity = op.quantity;
  Object.assign(view, {
    operationRequestSource: op.source,
    subscriptionId: op.subscriptionId,
    timeStamp: op.created,
    action: op.action,
    status: op.status,
  });
  if (op.errorStatusCode !== undefined) view.errorStatusCode = op.errorStatusCode;
  if (op.errorMessage !== undefined) view.errorMessage = op.errorMessage;
  return view;
}

/**
 * The webhook body (§4.3, 2023 shape): top-level planId/quantity are the operation's (new) values,
 * while `subscription` shows the subscription as it is when the call is made (the old plan or
 * quantity for ChangePlan/ChangeQuantity).
 */
export function webhookPayload(catalog: Catalog, op: OperationRecord, sub: SubscriptionRecord): Record<string, unknown> {
  return {
    id: op.id,
    activityId: op.id,
    publisherId: catalog.publisherId,
    offerId: sub.offerId,
    planId: op.planId,
    quantity: op.quantity ?? null,
    subscriptionId: sub.id,
    timeStamp: op.created,
    action: op.action,
    status: op.status,
    operationRequestSource: op.source,
    subscription: subscriptionView(catalog, sub, 'webhook'),
    purchaseToken: null,
  };
}
