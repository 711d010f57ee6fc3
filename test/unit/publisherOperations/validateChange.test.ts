import { changeIssues, type PublisherChange } from '../../../shared/publisherOperations';
import type { SubscriptionRecord } from '../../../shared/subscription/model';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { catalogPlan, SEAT_PLANS } from './fakeFulfillment';

const AVAILABLE = SEAT_PLANS.map((plan) => catalogPlan(plan));
const subscription = (overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord => buildSubscriptionRecord({ offerId: 'contoso-seats', planId: 'team', quantity: 10, ...overrides });

describe('changeIssues', () => {
  it.each<[string, PublisherChange, Partial<SubscriptionRecord>]>([
    ['a plan offered to the subscription that fits its seats', { action: 'ChangePlan', planId: 'business' }, {}],
    ['a seat count within the current plan', { action: 'ChangeQuantity', quantity: 50 }, {}],
    ['a cancellation of a Suspended subscription', { action: 'Unsubscribe' }, { status: 'Suspended' }],
  ])('finds nothing wrong with %s', (_name, change, overrides) => {
    // Prepare
    const record = subscription(overrides);

    // Act
    const issues = changeIssues(record, AVAILABLE, change);

    // Assess
    expect(issues).toEqual([]);
  });

  it.each<[string, PublisherChange, Partial<SubscriptionRecord>, RegExp]>([
    ['a plan change of a Suspended subscription', { action: 'ChangePlan', planId: 'business' }, { status: 'Suspended' }, /^status: the subscription is Suspended; only Subscribed/],
    ['a plan change without Update allowed', { action: 'ChangePlan', planId: 'business' }, { allowedCustomerOperations: ['Read'] }, /^allowedCustomerOperations: Update is not allowed/],
    ['the current plan', { action: 'ChangePlan', planId: 'team' }, {}, /^planId: the subscription is already on plan team/],
    ['a plan not offered to the subscription', { action: 'ChangePlan', planId: 'gold-private' }, {}, /^planId: plan gold-private is not offered to this subscription \(offered: business, enterprise\)/],
    ['a plan whose minimum is above the current seats', { action: 'ChangePlan', planId: 'enterprise' }, {}, /^planId: plan enterprise allows 100–5000 seats and the subscription has 10; change the seats first/],
    ['the current seat count', { action: 'ChangeQuantity', quantity: 10 }, {}, /^quantity: the subscription already has 10 seats/],
    ['more seats than the plan allows', { action: 'ChangeQuantity', quantity: 51 }, {}, /^quantity: plan team allows 1–50 seats, not 51/],
    ['a seat change of an Unsubscribed subscription', { action: 'ChangeQuantity', quantity: 12 }, { status: 'Unsubscribed' }, /^status: the subscription is Unsubscribed/],
    ['a cancellation of an Unsubscribed subscription', { action: 'Unsubscribe' }, { status: 'Unsubscribed' }, /^status: the subscription is already Unsubscribed/],
    ['a cancellation without Delete allowed', { action: 'Unsubscribe' }, { allowedCustomerOperations: ['Read'] }, /^allowedCustomerOperations: Delete is not allowed/],
  ])('refuses %s with the reason', (_name, change, overrides, reason) => {
    // Prepare
    const record = subscription(overrides);

    // Act
    const issues = changeIssues(record, AVAILABLE, change);

    // Assess
    expect(issues).toEqual(expect.arrayContaining([expect.stringMatching(reason)]));
  });

  it('refuses a seat change on a flat-rate plan', () => {
    // Prepare
    const record = subscription({ offerId: 'contoso-analytics', planId: 'starter', quantity: undefined });
    const flat = [catalogPlan({ planId: 'starter', isPricePerSeat: false }, 'contoso-analytics')];

    // Act
    const issues = changeIssues(record, flat, { action: 'ChangeQuantity', quantity: 3 });

    // Assess
    expect(issues).toEqual(['quantity: plan starter is not priced per seat']);
  });
});
