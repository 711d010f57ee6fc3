import { InvalidTransitionError, ValidationError } from '../../../shared/errors';
import type { SubscriptionStatus } from '../../../shared/subscription/model';
import { transitionOrThrow } from '../../../shared/subscription/stateMachine';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';

const AT = '2025-03-10T12:00:00.000Z';

function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('transitionOrThrow', () => {
  it('returns the applied result when the event is legal', () => {
    // Prepare
    const record = buildSubscriptionRecord({ status: 'Suspended' });

    // Act
    const result = transitionOrThrow(record, { type: 'Reinstate', at: AT });

    // Assess
    expect(result.record.status).toBe('Subscribed');
  });

  it.each<[SubscriptionStatus, string]>([
    ['Suspended', 'InvalidTransition'],
    ['Unsubscribed', 'Terminal'],
  ])('throws InvalidTransitionError carrying the subscription id when %s refuses ChangePlan', (status, refusal) => {
    // Prepare
    const record = buildSubscriptionRecord({ status });

    // Act
    const error = thrownBy(() => transitionOrThrow(record, { type: 'ChangePlan', at: AT, planId: 'pro' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({ code: 'InvalidTransition', details: { subscriptionId: record.id, status, eventType: 'ChangePlan', refusal } });
  });

  it('throws ValidationError listing the issues when the event is malformed', () => {
    // Prepare
    const record = buildSubscriptionRecord();

    // Act
    const error = thrownBy(() => transitionOrThrow(record, { type: 'ChangeQuantity', at: AT, quantity: 0 }));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ issues: ['quantity: must be a positive integer'], details: { subscriptionId: record.id, refusal: 'InvalidEvent' } });
  });
});
