import { eventIssues, isIsoDateTime, type SubscriptionEvent } from '../../../shared/subscription/events';
import { transition } from '../../../shared/subscription/stateMachine';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';

const AT = '2025-03-10T12:00:00Z';

describe('isIsoDateTime', () => {
  it.each(['2025-03-10T12:00:00Z', '2025-03-10T12:00:00.123Z', '2025-03-10T12:00Z', '2025-03-10T12:00:00+02:00'])(
    'accepts %s',
    (value) => {
      // Prepare, Act
      const accepted = isIsoDateTime(value);

      // Assess
      expect(accepted).toBe(true);
    },
  );

  it.each([
    ['a date without a time', '2025-03-10'],
    ['a local time without a zone', '2025-03-10T12:00:00'],
    ['an impossible month', '2025-13-10T12:00:00Z'],
    ['free text Date.parse would accept', 'March 10, 2025 12:00 UTC'],
    ['a number', 1741608000000],
  ])('rejects %s', (_name, value) => {
    // Prepare, Act
    const accepted = isIsoDateTime(value);

    // Assess
    expect(accepted).toBe(false);
  });
});

describe('eventIssues', () => {
  it.each<[string, SubscriptionEvent, string]>([
    ['an unparseable time', { type: 'Suspend', at: 'yesterday' }, 'at: must be an ISO-8601 date-time with a zone'],
    ['an empty plan', { type: 'ChangePlan', at: AT, planId: '' }, 'planId: must be a non-empty string'],
    ['a blank plan', { type: 'ChangePlan', at: AT, planId: '   ' }, 'planId: must be a non-empty string'],
    ['zero seats', { type: 'ChangeQuantity', at: AT, quantity: 0 }, 'quantity: must be a positive integer'],
    ['negative seats', { type: 'ChangeQuantity', at: AT, quantity: -3 }, 'quantity: must be a positive integer'],
    ['fractional seats', { type: 'ChangeQuantity', at: AT, quantity: 1.5 }, 'quantity: must be a positive integer'],
    ['NaN seats', { type: 'ChangeQuantity', at: AT, quantity: Number.NaN }, 'quantity: must be a positive integer'],
    ['seats as a string', { type: 'ChangeQuantity', at: AT, quantity: '5' as unknown as number }, 'quantity: must be a positive integer'],
    ['a missing term', { type: 'Renew', at: AT, term: null as never }, 'term: must be an object'],
    ['a numeric end date', { type: 'Renew', at: AT, term: { endDate: 5 as unknown as string } }, 'term.endDate: must be a string when present'],
    ['a numeric charge duration', { type: 'Renew', at: AT, term: { chargeDuration: 1 as unknown as string } }, 'term.chargeDuration: must be a string or null when present'],
    ['an unknown type', { type: 'Transfer', at: AT } as unknown as SubscriptionEvent, 'type: must be one of Activate, ChangePlan, ChangeQuantity, Renew, Suspend, Reinstate, Unsubscribe, Unknown'],
  ])('reports %s', (_name, event, issue) => {
    // Prepare, Act
    const issues = eventIssues(event);

    // Assess
    expect(issues).toEqual([issue]);
  });

  it('makes transition refuse the event as InvalidEvent, whatever the state', () => {
    // Prepare
    const record = buildSubscriptionRecord({ status: 'Unsubscribed' });

    // Act
    const result = transition(record, { type: 'ChangeQuantity', at: 'soon', quantity: 0 });

    // Assess
    expect(result).toEqual({
      ok: false,
      refusal: expect.objectContaining({
        code: 'InvalidEvent',
        issues: ['at: must be an ISO-8601 date-time with a zone', 'quantity: must be a positive integer'],
      }),
    });
  });

  it.each<SubscriptionEvent>([
    { type: 'Activate', at: AT },
    { type: 'Renew', at: AT, term: {} },
    { type: 'Renew', at: AT, term: { termUnit: 'PAY', chargeDuration: null } },
    { type: 'Unknown', at: AT, action: '' },
  ])('finds nothing wrong with a well-formed $type event', (event) => {
    // Prepare, Act
    const issues = eventIssues(event);

    // Assess
    expect(issues).toEqual([]);
  });
});
