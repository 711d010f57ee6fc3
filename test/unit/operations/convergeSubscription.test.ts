import type { MarketplaceSubscription } from '../../../shared/marketplace';
import { convergeSubscription, eventsToMatch, eventWorkKey, type ConvergeOptions } from '../../../shared/operations/convergeSubscription';
import type { SubscriptionEvent } from '../../../shared/subscription/events';
import { OPERATION_ID, operationsRig, SUBSCRIPTION_ID } from './operationsRig';
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
    ['plan, seats and term first, then Unsubscribe, when the marketplace says Unsubscribed', {}, { planId: 'gold', quantity: 12, term: { termUnit: 'P1M', startDate: '2025-02-01T00:00:00Z', endDate: '2025-02-28T00:00:00Z' }, saasSubscriptionStatus: 'Unsubscribed' }, ['ChangePlan:gold', 'ChangeQuantity:12', 'Renew', 'Unsubscribe']],
    ['nothing for an Unsubscribed record (terminal)', { status: 'Unsubscribed' }, { saasSubscriptionStatus: 'Subscribed', planId: 'gold' }, []],
    ['Activate for a record still pending locally', { status: 'PendingFulfillmentStart' }, { saasSubscriptionStatus: 'Subscribed' }, ['Activate']],
    ['Activate carrying the new term, not a Renew, for a pending record', { status: 'PendingFulfillmentStart' }, { saasSubscriptionStatus: 'Subscribed', term: { termUnit: 'P1M', startDate: '2025-02-01T00:00:00Z', endDate: '2025-02-28T00:00:00Z' } }, ['Activate']],
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

describe('convergeSubscription', () => {
  const UNSUBSCRIBED_TRUTH = { planId: 'gold', quantity: 12, saasSubscriptionStatus: 'Unsubscribed' as const };

  async function converge(local: Partial<SubscriptionRecord>, truth: Partial<MarketplaceSubscription>, options: Partial<ConvergeOptions> = {}) {
    const rig = operationsRig();
    const record = buildSubscriptionRecord({ id: SUBSCRIPTION_ID, ...local });
    await rig.subscriptions.create(record);
    const result = await convergeSubscription({ ...rig, logger: rig.deps.logger }, truthFrom(buildSubscriptionRecord({ id: SUBSCRIPTION_ID }), truth), {
      operationId: OPERATION_ID,
      action: 'Unsubscribe',
      at: AT,
      ...options,
    });
    return { rig, result, history: (await rig.history.list(SUBSCRIPTION_ID, { limit: 50 })).items };
  }

  it('brings plan and seats in line before Unsubscribe when the record was Subscribed, telling the ISV of each', async () => {
    // Act
    const { rig, history } = await converge({}, UNSUBSCRIBED_TRUTH);

    // Assess
    expect(await rig.local()).toMatchObject({ status: 'Unsubscribed', planId: 'gold', quantity: 12 });
    expect(history.map((entry) => entry.kind).sort()).toEqual(['PlanChanged', 'QuantityChanged', 'StatusChanged']);
    expect(rig.isv.notified.map((event) => event.type)).toEqual(['saas.subscription.plan_changed', 'saas.subscription.quantity_changed', 'saas.subscription.unsubscribed']);
  });

  it.each<[string, Partial<SubscriptionRecord>]>([
    ['already Unsubscribed (a late operation after the cancellation)', { status: 'Unsubscribed', retainUntil: '2025-03-09T00:00:00.000Z' }],
    ['Suspended (the state machine refuses plan changes there)', { status: 'Suspended' }],
  ])('brings plan and seats of a record %s in line with one write and one Converged row, status by the state machine only', async (_name, local) => {
    // Act
    const { rig, result, history } = await converge(local, UNSUBSCRIBED_TRUTH);

    // Assess
    expect(await rig.local()).toMatchObject({ status: 'Unsubscribed', planId: 'gold', quantity: 12 });
    expect(result).toMatchObject({ imported: false, corrected: ['planId', 'quantity'] });
    const converged = history.find((entry) => entry.kind === 'Converged');
    expect(converged).toMatchObject({ operationId: OPERATION_ID, from: { planId: 'basic', quantity: 10 }, to: { planId: 'gold', quantity: 12 } });
    expect(history.some((entry) => entry.kind === 'EventRefused')).toBe(false);
  });

  it('never moves an Unsubscribed record out of Unsubscribed, whatever a reading says', async () => {
    // Act
    const { rig } = await converge({ status: 'Unsubscribed' }, { saasSubscriptionStatus: 'Subscribed', planId: 'gold' });

    // Assess
    expect(await rig.local()).toMatchObject({ status: 'Unsubscribed', planId: 'gold' });
  });

  it('keeps the seats when a reading of the same plan omits the quantity, and writes nothing', async () => {
    // Act
    const { rig, result, history } = await converge({ quantity: 10 }, { quantity: undefined });

    // Assess
    expect(await rig.local()).toMatchObject({ planId: 'basic', quantity: 10 });
    expect(result).toMatchObject({ imported: false, outcomes: [], corrected: [] });
    expect(history).toEqual([]);
  });

  it('clears the seats when Microsoft moved the subscription to a plan without a quantity (flat rate), telling the ISV of the plan change', async () => {
    // Act
    const { rig, result, history } = await converge({ quantity: 10 }, { planId: 'flat', quantity: undefined });

    // Assess
    const local = await rig.local();
    expect(local).toMatchObject({ planId: 'flat' });
    expect(local?.quantity).toBeUndefined();
    expect(result).toMatchObject({ corrected: ['quantity'] });
    expect(history.find((entry) => entry.kind === 'Converged')).toMatchObject({ from: { quantity: 10 }, to: { quantity: null } });
    expect(rig.isv.notified.map((event) => event.type)).toEqual(['saas.subscription.plan_changed']);
  });

  it('changes nothing and writes nothing when the record already matches', async () => {
    // Prepare
    const rig = operationsRig();
    await rig.subscriptions.create(buildSubscriptionRecord({ id: SUBSCRIPTION_ID }));
    const before = await rig.subscriptions.get(SUBSCRIPTION_ID);

    // Act
    const result = await convergeSubscription({ ...rig, logger: rig.deps.logger }, truthFrom(buildSubscriptionRecord({ id: SUBSCRIPTION_ID })), { operationId: OPERATION_ID, action: 'Renew', at: AT });

    // Assess
    expect(result).toMatchObject({ imported: false, outcomes: [], corrected: [] });
    expect((await rig.subscriptions.get(SUBSCRIPTION_ID))?.etag).toBe(before?.etag);
  });
});

describe('eventWorkKey', () => {
  it.each<[string, SubscriptionEvent, Partial<ConvergeOptions>, string]>([
    ["the bare operation id for the operation's own event with the value it asked for", { type: 'ChangeQuantity', quantity: 20, at: AT }, { target: { quantity: 20 } }, 'op-1'],
    ['the bare operation id when the target is not known', { type: 'ChangeQuantity', quantity: 3, at: AT }, {}, 'op-1'],
    ['the event and value when Microsoft moved on to another value', { type: 'ChangeQuantity', quantity: 3, at: AT }, { target: { quantity: 20 } }, 'op-1:ChangeQuantity=3'],
    ['the event and value for another event', { type: 'ChangePlan', planId: 'gold', at: AT }, {}, 'op-1:ChangePlan=gold'],
    ['the event for a status event', { type: 'Suspend', at: AT }, {}, 'op-1:Suspend'],
  ])('is %s', (_name, event, options, expected) => {
    // Act
    const key = eventWorkKey(event, { operationId: 'op-1', action: 'ChangeQuantity', ...options });

    // Assess
    expect(key).toBe(expected);
  });
});
