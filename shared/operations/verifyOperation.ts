import { MarketplaceApiError, type MarketplaceApi, type MarketplaceOperation, type MarketplaceSubscription } from '../marketplace';
import type { OperationMessage } from './operationMessage';

/**
 * Actions Microsoft only notifies about (marketplace-api.md §4.2; `Subscribe` is on the current
 * webhook page, sent once a purchase is activated); some have no operation behind them.
 */
export const NOTIFY_ONLY_ACTIONS: ReadonlySet<string> = new Set(['Renew', 'Suspend', 'Unsubscribe', 'Subscribe']);
/** Actions that wait for the publisher's acknowledgement (PATCH Success / Failure). */
export const ACKNOWLEDGED_ACTIONS: ReadonlySet<string> = new Set(['ChangePlan', 'ChangeQuantity', 'Reinstate']);

export type Verification =
  /** Get Operation found the operation and it matches the message. */
  | { verified: 'operation'; operation: MarketplaceOperation }
  /** A notify-only action without an operation: Get Subscription found the subscription. */
  | { verified: 'subscription'; subscription: MarketplaceSubscription }
  | { rejected: string };

export function isNotFound(error: unknown): boolean {
  return error instanceof MarketplaceApiError && error.status === 404;
}

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Verify before acting (marketplace-api.md §4.4): Get Operation must know the operation, with the
 * same id, subscription and action as the webhook said. Notify-only actions may have no operation
 * (§4.4 caveat): then Get Subscription must know the subscription. Anything else is a rejection.
 * Failures other than 404 propagate (the queue retries).
 */
export async function verifyOperation(
  marketplace: Pick<MarketplaceApi, 'getOperation' | 'getSubscription'>,
  message: OperationMessage,
): Promise<Verification> {
  const { operationId, subscriptionId, action } = message;
  let operation: MarketplaceOperation;
  try {
    operation = await marketplace.getOperation(subscriptionId, operationId);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (!NOTIFY_ONLY_ACTIONS.has(action)) return { rejected: 'Get Operation does not know this operation' };
    return verifySubscription(marketplace, subscriptionId);
  }
  const mismatches: string[] = [];
  if (!same(operation.id, operationId)) mismatches.push('id');
  if (operation.subscriptionId !== undefined && !same(operation.subscriptionId, subscriptionId)) mismatches.push('subscriptionId');
  if (operation.action !== undefined && !same(operation.action, action)) mismatches.push('action');
  if (mismatches.length > 0) return { rejected: `Get Operation disagrees with the webhook on ${mismatches.join(', ')}` };
  return { verified: 'operation', operation };
}

async function verifySubscription(
  marketplace: Pick<MarketplaceApi, 'getSubscription'>,
  subscriptionId: string,
): Promise<Verification> {
  try {
    const subscription = await marketplace.getSubscription(subscriptionId);
    if (!same(subscription.id, subscriptionId)) return { rejected: 'Get Subscription returned another subscription' };
    return { verified: 'subscription', subscription };
  } catch (error) {
    if (isNotFound(error)) return { rejected: 'neither Get Operation nor Get Subscription knows this operation' };
    throw error;
  }
}
