import { ACTIVATION_ATTEMPT_FAILED, ACTIVATION_FAILED } from '../../../shared/activation';
import { decideLandingState, type ActivationMode } from '../../../shared/landing';
import type { SubscriptionRecord, SubscriptionStatus } from '../../../shared/subscription/model';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';

const failed = { code: ACTIVATION_FAILED, message: 'Attempt 5 of 5', at: '2026-03-01T10:00:00Z' };
const retrying = { code: ACTIVATION_ATTEMPT_FAILED, message: 'Attempt 2 of 5', at: '2026-03-01T10:00:00Z' };

function record(status: SubscriptionStatus, lastError?: SubscriptionRecord['lastError']): SubscriptionRecord {
  return buildSubscriptionRecord({ status, ...(lastError ? { lastError } : {}) });
}

describe('decideLandingState', () => {
  it.each<[string, string, SubscriptionRecord, ActivationMode, boolean, string, boolean]>([
    ['a new purchase in automatic mode queues the activation', 'PendingFulfillmentStart', record('PendingFulfillmentStart'), 'automatic', false, 'pending', true],
    ['a new purchase in confirm mode asks the buyer', 'PendingFulfillmentStart', record('PendingFulfillmentStart'), 'confirm', false, 'confirm', false],
    ['a queued activation shows pending without queueing again', 'PendingFulfillmentStart', record('PendingFulfillmentStart'), 'automatic', true, 'pending', false],
    ['a queued activation in confirm mode shows pending, not the button', 'PendingFulfillmentStart', record('PendingFulfillmentStart'), 'confirm', true, 'pending', false],
    ['an attempt that failed but will be retried stays pending', 'PendingFulfillmentStart', record('PendingFulfillmentStart', retrying), 'automatic', true, 'pending', false],
    ['the last attempt failed: failure page, nothing queued', 'PendingFulfillmentStart', record('PendingFulfillmentStart', failed), 'automatic', false, 'failed', false],
    ['an active subscription shows the account view', 'Subscribed', record('Subscribed'), 'automatic', false, 'active', false],
    ['Microsoft active but our record pending: active, and the activation records it', 'Subscribed', record('PendingFulfillmentStart'), 'confirm', false, 'active', true],
    ['a Resolve lagging behind our activation still shows active', 'PendingFulfillmentStart', record('Subscribed'), 'automatic', false, 'active', false],
    ['suspended by Microsoft', 'Suspended', record('Subscribed'), 'automatic', false, 'suspended', false],
    ['cancelled by Microsoft', 'Unsubscribed', record('Subscribed'), 'automatic', false, 'unsubscribed', false],
    ['cancelled before activation: nothing queued', 'Unsubscribed', record('PendingFulfillmentStart'), 'automatic', false, 'unsubscribed', false],
    ['our record already cancelled', 'Subscribed', record('Unsubscribed'), 'automatic', false, 'unsubscribed', false],
    ['a status Microsoft may add (NotStarted) is treated as pending', 'NotStarted', record('PendingFulfillmentStart'), 'automatic', false, 'pending', true],
  ])('%s', (_case, marketplaceStatus, stored, mode, activationQueued, state, queueActivation) => {
    // Prepare (the table row)

    // Act
    const decision = decideLandingState({ marketplaceStatus, record: stored, mode, activationQueued });

    // Assess
    expect(decision).toEqual({ state, queueActivation });
  });
});
