import type { SubscriptionStatus } from '../../../shared/subscription/model';
import { transition, type SubscriptionEvent, type TransitionResult } from '../../../shared/subscription/stateMachine';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';

const AT = '2025-03-10T12:00:00.000Z';

function applied(result: TransitionResult) {
  if (!result.ok) throw new Error(`expected the event to apply, got ${result.refusal.code}: ${result.refusal.message}`);
  return result;
}

function refused(result: TransitionResult) {
  if (result.ok) throw new Error('expected a refusal');
  return result.refusal;
}

describe('transition', () => {
  describe('lifecycle (marketplace-api.md §5.1)', () => {
    it.each<[string, SubscriptionStatus, SubscriptionEvent, SubscriptionStatus]>([
      ['activation', 'PendingFulfillmentStart', { type: 'Activate', at: AT }, 'Subscribed'],
      ['suspension for non-payment', 'Subscribed', { type: 'Suspend', at: AT }, 'Suspended'],
      ['reinstatement after payment', 'Suspended', { type: 'Reinstate', at: AT }, 'Subscribed'],
      ['cancellation of an active subscription', 'Subscribed', { type: 'Unsubscribe', at: AT }, 'Unsubscribed'],
      ['cancellation after the grace period', 'Suspended', { type: 'Unsubscribe', at: AT }, 'Unsubscribed'],
      ['cancellation before activation', 'PendingFulfillmentStart', { type: 'Unsubscribe', at: AT }, 'Unsubscribed'],
    ])('moves the status for %s (%s → %s)', (_name, from, event, to) => {
      // Prepare
      const record = buildSubscriptionRecord({ status: from });

      // Act
      const result = applied(transition(record, event));

      // Assess
      expect(result.changed).toBe(true);
      expect(result.record.status).toBe(to);
      expect(result.record.updatedAt).toBe(AT);
      expect(result.changes[0]).toEqual({ field: 'status', from, to });
    });

    it.each<[string, SubscriptionEvent, Partial<Record<string, unknown>>]>([
      ['plan', { type: 'ChangePlan', at: AT, planId: 'pro' }, { planId: 'pro' }],
      ['seat count', { type: 'ChangeQuantity', at: AT, quantity: 25 }, { quantity: 25 }],
    ])('changes the %s and stays Subscribed', (_name, event, expected) => {
      // Prepare
      const record = buildSubscriptionRecord();

      // Act
      const result = applied(transition(record, event));

      // Assess
      expect(result.record).toEqual({ ...record, ...expected, updatedAt: AT });
      expect(result.changes).toHaveLength(1);
    });

    it('moves the term dates on Renew and keeps term fields the event leaves out', () => {
      // Prepare
      const record = buildSubscriptionRecord();
      const event: SubscriptionEvent = { type: 'Renew', at: AT, term: { startDate: '2025-02-01T00:00:00Z', endDate: '2025-02-28T00:00:00Z' } };

      // Act
      const result = applied(transition(record, event));

      // Assess
      expect(result.record.term).toEqual({ termUnit: 'P1M', startDate: '2025-02-01T00:00:00Z', endDate: '2025-02-28T00:00:00Z', chargeDuration: null });
      expect(result.record.status).toBe('Subscribed');
      expect(result.changes).toEqual([{ field: 'term', from: record.term, to: result.record.term }]);
    });

    it.each([
      ['2025-03-10T12:00:00.000Z', '2025-03-17T12:00:00.000Z'],
      ['2025-03-10T01:30:00+02:00', '2025-03-16T23:30:00.000Z'],
    ])('keeps the data 7 days after an Unsubscribe at %s', (at, retainUntil) => {
      // Prepare
      const record = buildSubscriptionRecord();

      // Act
      const result = applied(transition(record, { type: 'Unsubscribe', at }));

      // Assess
      expect(result.record.retainUntil).toBe(retainUntil);
      expect(result.changes).toContainEqual({ field: 'retainUntil', from: undefined, to: retainUntil });
    });
  });

  describe('repeated and unknown events', () => {
    it.each<[string, SubscriptionStatus, SubscriptionEvent]>([
      ['Activate on Subscribed', 'Subscribed', { type: 'Activate', at: AT }],
      ['Reinstate on Subscribed', 'Subscribed', { type: 'Reinstate', at: AT }],
      ['Suspend on Suspended', 'Suspended', { type: 'Suspend', at: AT }],
      ['Unsubscribe on Unsubscribed', 'Unsubscribed', { type: 'Unsubscribe', at: AT }],
      ['ChangePlan to the current plan', 'Subscribed', { type: 'ChangePlan', at: AT, planId: 'basic' }],
      ['ChangeQuantity to the current seats', 'Subscribed', { type: 'ChangeQuantity', at: AT, quantity: 10 }],
      ['Renew with the current term', 'Subscribed', { type: 'Renew', at: AT, term: { termUnit: 'P1M', endDate: '2025-01-31T00:00:00Z' } }],
      ['Unknown on Pending', 'PendingFulfillmentStart', { type: 'Unknown', at: AT, action: 'Subscribe' }],
      ['Unknown on Subscribed', 'Subscribed', { type: 'Unknown', at: AT, action: 'Transfer' }],
      ['Unknown on Unsubscribed', 'Unsubscribed', { type: 'Unknown', at: AT, action: 'Transfer' }],
    ])('accepts %s and changes nothing, not even updatedAt', (_name, status, event) => {
      // Prepare
      const record = buildSubscriptionRecord({ status, retainUntil: status === 'Unsubscribed' ? '2025-02-01T00:00:00.000Z' : undefined });

      // Act
      const result = applied(transition(record, event));

      // Assess
      expect(result.changed).toBe(false);
      expect(result.changes).toEqual([]);
      expect(result.record).toBe(record);
    });
  });

  describe('refusals', () => {
    it.each<[SubscriptionStatus, SubscriptionEvent['type']]>([
      ['PendingFulfillmentStart', 'ChangePlan'],
      ['PendingFulfillmentStart', 'ChangeQuantity'],
      ['PendingFulfillmentStart', 'Renew'],
      ['PendingFulfillmentStart', 'Suspend'],
      ['PendingFulfillmentStart', 'Reinstate'],
      ['Suspended', 'Activate'],
      ['Suspended', 'ChangePlan'],
      ['Suspended', 'ChangeQuantity'],
      ['Suspended', 'Renew'],
    ])('refuses an event that is illegal in %s: %s', (status, type) => {
      // Prepare
      const record = buildSubscriptionRecord({ status });
      const event = { type, at: AT, planId: 'pro', quantity: 3, term: { termUnit: 'P1Y' } } as SubscriptionEvent;

      // Act
      const refusal = refused(transition(record, event));

      // Assess
      expect(refusal).toMatchObject({ code: 'InvalidTransition', status, eventType: type });
      expect(refusal.message).toContain(status);
    });

    it.each<SubscriptionEvent['type']>(['Activate', 'ChangePlan', 'ChangeQuantity', 'Renew', 'Suspend', 'Reinstate'])(
      'refuses %s on an Unsubscribed subscription as Terminal',
      (type) => {
        // Prepare
        const record = buildSubscriptionRecord({ status: 'Unsubscribed' });
        const event = { type, at: AT, planId: 'pro', quantity: 3, term: { termUnit: 'P1Y' } } as SubscriptionEvent;

        // Act
        const refusal = refused(transition(record, event));

        // Assess
        expect(refusal).toMatchObject({ code: 'Terminal', status: 'Unsubscribed', eventType: type });
      },
    );

    it('refuses a record whose status this app does not know', () => {
      // Prepare
      const record = buildSubscriptionRecord({ status: 'NotStarted' as SubscriptionStatus });

      // Act
      const refusal = refused(transition(record, { type: 'Unsubscribe', at: AT }));

      // Assess
      expect(refusal).toMatchObject({ code: 'InvalidTransition', status: 'NotStarted' });
    });

    it('never mutates the record it is given', () => {
      // Prepare
      const record = buildSubscriptionRecord();
      const before = structuredClone(record);

      // Act
      transition(Object.freeze(record), { type: 'Unsubscribe', at: AT });

      // Assess
      expect(record).toEqual(before);
    });
  });
});

describe('transition: Activate with the term Microsoft set', () => {
  it('records the term dates when billing starts, and only once', () => {
    // Prepare
    const pending = buildSubscriptionRecord({ status: 'PendingFulfillmentStart', term: { termUnit: 'P1M' } });
    const event = { type: 'Activate' as const, at: '2026-02-01T00:00:00Z', term: { termUnit: 'P1M', startDate: '2026-02-01T00:00:00Z', endDate: '2026-02-28T00:00:00Z' } };

    // Act
    const first = transition(pending, event);
    const second = first.ok ? transition(first.record, event) : first;

    // Assess
    expect(first).toMatchObject({ ok: true, changed: true, record: { status: 'Subscribed', term: event.term } });
    expect(first.ok && first.changes.map((c) => c.field)).toEqual(['status', 'term']);
    expect(second).toMatchObject({ ok: true, changed: false });
  });
});
