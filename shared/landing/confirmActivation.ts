import { activationRecentlyRequested, requestActivation, type RequestActivationDeps } from '../activation/requestActivation';
import type { HistoryStore, SubscriptionStore } from '../storage';
import { verifyFormToken } from './formToken';

export interface ConfirmActivationDeps extends RequestActivationDeps {
  subscriptions: Pick<SubscriptionStore, 'get'>;
  history: Pick<HistoryStore, 'append' | 'list'>;
}

export interface ConfirmActivationInput {
  subscriptionId: string;
  formToken: string;
  /** LANDING_FORM_SECRET. */
  secret: string;
}

export type ConfirmOutcome =
  /** The form token is malformed, forged, for another subscription, or expired. Nothing was queued. */
  | { kind: 'rejected'; reason: 'malformed' | 'badSignature' | 'expired' }
  | { kind: 'notFound' }
  | { kind: 'queued' }
  /** A double click, or a second tab: the first request is still running. */
  | { kind: 'alreadyQueued' }
  /** The subscription is no longer pending (already active, suspended or cancelled). */
  | { kind: 'notPending'; status: string };

/**
 * The buyer pressed Activate (confirm mode): check the signed form token against this subscription
 * and the clock, then queue the activation unless one is already on its way.
 */
export async function confirmActivation(deps: ConfirmActivationDeps, input: ConfirmActivationInput): Promise<ConfirmOutcome> {
  const now = deps.clock.now();
  const check = verifyFormToken({ token: input.formToken, subscriptionId: input.subscriptionId, secret: input.secret, now });
  if (!check.ok) {
    deps.logger.warn('activation form refused', { subscriptionId: input.subscriptionId, reason: check.reason });
    return { kind: 'rejected', reason: check.reason };
  }
  const stored = await deps.subscriptions.get(input.subscriptionId);
  if (stored === undefined) return { kind: 'notFound' };
  const record = stored.value;
  if (record.status !== 'PendingFulfillmentStart') return { kind: 'notPending', status: record.status };
  if (await activationRecentlyRequested(deps.history, record.id, now)) return { kind: 'alreadyQueued' };
  await requestActivation(deps, record, 'confirm');
  return { kind: 'queued' };
}
