import type { MarketplaceSubscription } from '../../../shared/marketplace';
import { eventsToMatch } from '../../../shared/operations/convergeSubscription';
import type { SubscriptionRecord } from '../../../shared/subscription/model';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';

const AT = '2026-03-02T12:00:00.000Z';

function truthFrom(record: SubscriptionRecord, overrides: Partial<MarketplaceSubscription> = {}): MarketplaceSubscription {
  return { id: record.id, offerId: record.offerId, planId: record.planId, quantity: record.quantity, saasSubscriptionStatus: record.status, term: { ...record.term, chargeDuration: undefined }, ...overrides };
}

describe('eventsToMatch', () => {
  it.each<[string, Partial<SubscriptionRecord>, Partial<MarketplaceSubscription>, string[]]>([
    ['nothing when both sides agree', {}, {}, []],
    ['ChangePlan to the marketplace plan', {}, { planId: 'gold' }, ['ChangePlan:gold']],
    ['ChangeQuantity to the marketplace seats', {}, { quantity: 25 }, ['ChangeQuantity:25']],
    ['Renew when the term moved', {}, { term: { termUnit: 'P1M', startDate: '2025-02-01T00:00:00Z', endDate: '2025-02-28T00:00:00Z' } }, ['Renew']],
    ['no Renew for the same instants written differently', {}, { term: { termUnit: 'P1M', startDate: '2025-01-01T00:00:00.000Z', endDate: '2025-01-31T00:00:00+00:00' } }, []],
    ['changes first, Suspend last, when a change preceded the suspension', {}, { quantity: 20, saasSubscriptionStatus: 'Suspended' }, ['ChangeQuantity:20', 'Suspend']],
    ['Reinstate first, then the changes, when back to Subscribed', { status: 'Suspended' }, { planId: 'gold' }, ['Reinstate', 'ChangePlan:gold']],
    ['only Unsubscribe when the marketplace says Unsubscribed', {}, { planId: 'gold', saasSubscriptionStatus: 'Unsubscribed' }, ['Unsubscribe']],
    ['nothing for an Unsubscribed record (terminal)', { status: 'Unsubscribed' }, { saasSubscriptionStatus: 'Subscribed', planId: 'gold' }, []],
    ['Activate for a record still pending locally', { status: 'PendingFulfillmentStart' }, { saasSubscriptionStatus: 'Subscribed' }, ['Activate']],
    ['no status change for a status this app does not know', {}, { saasSubscriptionStatus: 'NotStarted' }, []],
    ['no seat change when the marketplace reports none', {}, { quantity: undefined }, []],
  ])('produces %s', (_name, local, truth, expected) => {
    // Prepare
    const record = buildSubscriptionRecord(local);

    // Act
    const events = eventsToMatch(record, truthFrom(buildSubscriptionRecord(), truth), AT);

    // Assess
    expect(events.map((e) => (e.type === 'ChangePlan' ? `ChangePlan:${e.planId}` : e.type === 'ChangeQuantity' ? `ChangeQuantity:${e.quantity}` : e.type))).toEqual(expected);
    expect(events.every((e) => e.at === AT)).toBe(true);
  });
});
