import { ACTIVATION_FAILED } from '../activation/activateSubscription';
import type { SubscriptionRecord } from '../subscription/model';

/**
 * What the landing page shows: `confirm` (the Activate button), `pending` (activation queued; the
 * page refreshes itself), `active` (the account view), `suspended`, `unsubscribed`, or `failed`
 * (the last activation attempt failed: "we are on it").
 */
export const LANDING_STATES = ['confirm', 'pending', 'active', 'suspended', 'unsubscribed', 'failed'] as const;
export type LandingState = (typeof LANDING_STATES)[number];

export type ActivationMode = 'automatic' | 'confirm';

export interface LandingStateInput {
  /** Microsoft's status, from Resolve. */
  marketplaceStatus: string;
  /** Our record, after this visit refreshed it. */
  record: SubscriptionRecord;
  mode: ActivationMode;
  /** An activation was queued recently and may still be running. */
  activationQueued: boolean;
}

export interface LandingDecision {
  state: LandingState;
  /** Queue an activation now (automatic mode, or to bring our record up to an activation done elsewhere). */
  queueActivation: boolean;
}

/**
 * Whether our record still waits for an activation that can happen: it is PendingFulfillmentStart,
 * no activation failed for good, and Microsoft has it pending (or already Subscribed, which the
 * activation then only records). Only then does the page look at the activation history.
 */
export function awaitsActivation(marketplaceStatus: string, record: SubscriptionRecord): boolean {
  return (
    record.status === 'PendingFulfillmentStart' &&
    record.lastError?.code !== ACTIVATION_FAILED &&
    marketplaceStatus !== 'Suspended' &&
    marketplaceStatus !== 'Unsubscribed'
  );
}

/**
 * Decides the page from Microsoft's status and ours. Microsoft wins for the end states; an active
 * record wins over a Resolve that still says pending (Resolve can lag just after Activate).
 */
export function decideLandingState({ marketplaceStatus, record, mode, activationQueued }: LandingStateInput): LandingDecision {
  const waiting = awaitsActivation(marketplaceStatus, record) && !activationQueued;
  if (marketplaceStatus === 'Unsubscribed' || record.status === 'Unsubscribed') return { state: 'unsubscribed', queueActivation: false };
  if (marketplaceStatus === 'Suspended' || record.status === 'Suspended') return { state: 'suspended', queueActivation: false };
  if (marketplaceStatus === 'Subscribed' || record.status === 'Subscribed') return { state: 'active', queueActivation: waiting };
  if (record.lastError?.code === ACTIVATION_FAILED) return { state: 'failed', queueActivation: false };
  if (!waiting) return { state: 'pending', queueActivation: false };
  return mode === 'automatic' ? { state: 'pending', queueActivation: true } : { state: 'confirm', queueActivation: false };
}
