import type { HttpResponseInit } from '@azure/functions';
import { createGetSubscriptionDetailHandler } from '../../../functions/getSubscriptionDetail';
import { createListSubscriptionsHandler } from '../../../functions/listSubscriptions';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { NOW, SUBSCRIPTION_ID } from '../publisherOperations/fakeFulfillment';
import { adminRig, httpContext, request } from './adminRig';

interface Listed {
  items: Array<{ id: string }>;
  continuationToken?: string;
  nextLink: string;
  error: { details: { issues: string[] } };
  subscription: Record<string, unknown>;
  plans: Array<{ planId: string; current: boolean; learnedAt: string }>;
  history: { items: Array<{ kind: string }> };
}
const body = (response: HttpResponseInit): Listed => response.jsonBody as Listed;
const ids = ['10000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000004'];

describe('GET /api/subscriptions', () => {
  async function seeded() {
    const rig = adminRig();
    await rig.subscriptions.create(buildSubscriptionRecord({ id: ids[0], offerId: 'contoso-seats', status: 'Subscribed' }));
    await rig.subscriptions.create(buildSubscriptionRecord({ id: ids[1], offerId: 'contoso-seats', status: 'Suspended' }));
    await rig.subscriptions.create(buildSubscriptionRecord({ id: ids[2], offerId: 'contoso-seats', status: 'Subscribed', isTest: true }));
    await rig.subscriptions.create(buildSubscriptionRecord({ id: ids[3], offerId: 'contoso-analytics', planId: 'starter', status: 'Subscribed' }));
    return rig;
  }

  it('filters by status, offer and test flag together', async () => {
    // Prepare
    const rig = await seeded();
    const handler = createListSubscriptionsHandler(() => rig.deps);

    // Act
    const response = await handler(request('GET', '/api/subscriptions?status=Subscribed&offerId=contoso-seats&isTest=false'), httpContext('listSubscriptions'));

    // Assess
    expect(response.status).toBe(200);
    expect(body(response).items.map((item) => item.id)).toEqual([ids[0]]);
  });

  it('pages with a continuation token and a next link that keeps the filters', async () => {
    // Prepare
    const rig = await seeded();
    const handler = createListSubscriptionsHandler(() => rig.deps);

    // Act
    const first = await handler(request('GET', '/api/subscriptions?status=Subscribed&pageSize=2'), httpContext('listSubscriptions'));
    const next = await handler(request('GET', body(first).nextLink), httpContext('listSubscriptions'));

    // Assess
    expect(body(first).items.map((item) => item.id)).toEqual([ids[0], ids[2]]);
    expect(body(first).nextLink).toMatch(/^\/api\/subscriptions\?status=Subscribed&pageSize=2&continuationToken=/);
    expect(body(next).items.map((item) => item.id)).toEqual([ids[3]]);
    expect(body(next).continuationToken).toBeUndefined();
  });

  it('answers 400 with the reason for an unknown status', async () => {
    // Prepare
    const rig = await seeded();
    const handler = createListSubscriptionsHandler(() => rig.deps);

    // Act
    const response = await handler(request('GET', '/api/subscriptions?status=active'), httpContext('listSubscriptions'));

    // Assess
    expect(response.status).toBe(400);
    expect(body(response).error.details.issues).toEqual(['status: must be one of PendingFulfillmentStart, Subscribed, Suspended, Unsubscribed']);
  });

  it('answers 400 for a continuation token it did not issue', async () => {
    // Prepare
    const rig = await seeded();
    const handler = createListSubscriptionsHandler(() => rig.deps);

    // Act
    const response = await handler(request('GET', '/api/subscriptions?continuationToken=bm90LWEtdG9rZW4'), httpContext('listSubscriptions'));

    // Assess
    expect(response.status).toBe(400);
  });
});

describe('GET /api/subscriptions/{id}', () => {
  it('answers the record, its offer’s plans from the catalog (learned on first use) and its history, newest first', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    await rig.history.append({ subscriptionId: SUBSCRIPTION_ID, at: '2026-02-01T00:00:00.000Z', kind: 'StatusChanged', to: 'Subscribed' });
    await rig.history.append({ subscriptionId: SUBSCRIPTION_ID, at: '2026-02-15T00:00:00.000Z', kind: 'QuantityChanged', from: 5, to: 10 });
    const handler = createGetSubscriptionDetailHandler(() => rig.deps);

    // Act
    const response = await handler(request('GET', `/api/subscriptions/${SUBSCRIPTION_ID}`, { params: { subscriptionId: SUBSCRIPTION_ID } }), httpContext('getSubscriptionDetail'));

    // Assess
    expect(response.status).toBe(200);
    expect(body(response).subscription).toMatchObject({ id: SUBSCRIPTION_ID, planId: 'team', quantity: 10 });
    expect(body(response).plans.map((plan) => [plan.planId, plan.current, plan.learnedAt])).toEqual([
      ['business', false, NOW],
      ['enterprise', false, NOW],
      ['team', true, NOW],
    ]);
    expect(body(response).history.items.map((entry) => entry.kind)).toEqual(['QuantityChanged', 'StatusChanged']);
  });

  it('reads the catalog without asking Microsoft once it knows the offer', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    const handler = createGetSubscriptionDetailHandler(() => rig.deps);
    const get = () => handler(request('GET', `/api/subscriptions/${SUBSCRIPTION_ID}`, { params: { subscriptionId: SUBSCRIPTION_ID } }), httpContext('getSubscriptionDetail'));
    await get();

    // Act
    const response = await get();

    // Assess
    expect(body(response).plans).toHaveLength(3);
    expect(rig.marketplace.callsOf('listAvailablePlans')).toHaveLength(1);
  });

  it('still answers, without plans, when Microsoft cannot list them', async () => {
    // Prepare
    const rig = adminRig();
    await rig.known();
    rig.marketplace.fail('listAvailablePlans', new Error('unreachable'));
    const handler = createGetSubscriptionDetailHandler(() => rig.deps);

    // Act
    const response = await handler(request('GET', `/api/subscriptions/${SUBSCRIPTION_ID}`, { params: { subscriptionId: SUBSCRIPTION_ID } }), httpContext('getSubscriptionDetail'));

    // Assess
    expect(response.status).toBe(200);
    expect(body(response).plans).toEqual([]);
  });

  it.each([['an unknown subscription', SUBSCRIPTION_ID], ['an id that is not a GUID', 'not-a-guid']])('answers 404 for %s', async (_name, id) => {
    // Prepare
    const rig = adminRig();
    const handler = createGetSubscriptionDetailHandler(() => rig.deps);

    // Act
    const response = await handler(request('GET', `/api/subscriptions/${id}`, { params: { subscriptionId: id } }), httpContext('getSubscriptionDetail'));

    // Assess
    expect(response.status).toBe(404);
  });
});
