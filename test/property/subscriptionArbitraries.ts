import fc from 'fast-check';
import type { SubscriptionEvent } from '../../shared/subscription/events';
import { SUBSCRIPTION_STATUSES, type SubscriptionRecord, type Term } from '../../shared/subscription/model';

/** ISO instants between 2000 and 2100, as the marketplace and our clock write them. */
export const isoInstant = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/** Few plans, so that "change to the current plan" happens often. */
const planId = fc.constantFrom('basic', 'pro', 'enterprise');
const seats = fc.integer({ min: 1, max: 5 });

export const term: fc.Arbitrary<Term> = fc.record(
  {
    termUnit: fc.constantFrom('P1M', 'P1Y', 'P3Y', 'PAY'),
    startDate: fc.constantFrom('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'),
    endDate: fc.constantFrom('2025-01-31T00:00:00Z', '2025-02-28T00:00:00Z'),
    chargeDuration: fc.constantFrom(null, 'P1M'),
  },
  { requiredKeys: [] },
);

/** Any legal stored record: a known status, positive whole seats or none, retention once Unsubscribed. */
export const subscriptionRecord: fc.Arbitrary<SubscriptionRecord> = fc
  .record(
    {
      id: fc.uuid(),
      name: fc.string(),
      offerId: fc.constant('contoso-saas'),
      planId,
      quantity: seats,
      status: fc.constantFrom(...SUBSCRIPTION_STATUSES),
      term,
      autoRenew: fc.boolean(),
      isTest: fc.boolean(),
      isFreeTrial: fc.boolean(),
      allowedCustomerOperations: fc.subarray(['Read', 'Update', 'Delete']),
      createdAt: isoInstant,
      updatedAt: isoInstant,
      retainUntil: isoInstant,
    },
    { requiredKeys: ['id', 'name', 'offerId', 'planId', 'status', 'term', 'autoRenew', 'isTest', 'isFreeTrial', 'allowedCustomerOperations', 'createdAt', 'updatedAt'] },
  )
  .map(({ retainUntil, ...record }) => (record.status === 'Unsubscribed' && retainUntil !== undefined ? { ...record, retainUntil } : record));

/** Well-formed events of every type. */
export const validEvent: fc.Arbitrary<SubscriptionEvent> = isoInstant.chain((at) =>
  fc.oneof(
    fc.constant<SubscriptionEvent>({ type: 'Activate', at }),
    planId.map<SubscriptionEvent>((p) => ({ type: 'ChangePlan', at, planId: p })),
    seats.map<SubscriptionEvent>((quantity) => ({ type: 'ChangeQuantity', at, quantity })),
    term.map<SubscriptionEvent>((t) => ({ type: 'Renew', at, term: t })),
    fc.constant<SubscriptionEvent>({ type: 'Suspend', at }),
    fc.constant<SubscriptionEvent>({ type: 'Reinstate', at }),
    fc.constant<SubscriptionEvent>({ type: 'Unsubscribe', at }),
    fc.string().map<SubscriptionEvent>((action) => ({ type: 'Unknown', at, action })),
  ),
);

/** Malformed events, as a bad webhook payload or queue message could produce. */
export const malformedEvent: fc.Arbitrary<SubscriptionEvent> = fc.oneof(
  fc.constantFrom<SubscriptionEvent>(
    { type: 'Suspend', at: 'not a date' },
    { type: 'ChangePlan', at: '2025-01-01T00:00:00Z', planId: '' },
    { type: 'ChangeQuantity', at: '2025-01-01T00:00:00Z', quantity: 0 },
    { type: 'ChangeQuantity', at: '2025-01-01T00:00:00Z', quantity: 2.5 },
    { type: 'ChangeQuantity', at: '2025-01-01T00:00:00Z', quantity: Number.NaN },
    { type: 'Renew', at: '2025-01-01T00:00:00Z', term: null as unknown as Term },
  ),
  fc.integer().map((quantity): SubscriptionEvent => ({ type: 'ChangeQuantity', at: '2025-01-01T00:00:00Z', quantity })),
);

/** Mostly well-formed events, some malformed. */
export const anyEvent: fc.Arbitrary<SubscriptionEvent> = fc.oneof({ arbitrary: validEvent, weight: 9 }, { arbitrary: malformedEvent, weight: 1 });
