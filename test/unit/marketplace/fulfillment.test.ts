import { MAX_PURCHASE_TOKEN_LENGTH } from '../../../shared/marketplace/fulfillmentMethods';
import {
  buildPlansBody,
  buildResolveBody,
  buildSubscriptionBody,
  SUBSCRIPTION_ID,
} from '../../fakes/marketplaceFixtures';
import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';
import { MARKETPLACE_SCOPE } from '../../../shared/marketplace/constants';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('marketplace client: fulfillment v2', () => {
  let rig: MarketplaceTestRig;

  beforeEach(async () => {
    rig = await createMarketplaceTestRig();
  });

  afterEach(async () => {
    await rig.close();
  });

  it('resolves a purchase token sent verbatim in x-ms-marketplace-token, without a body', async () => {
    // Prepare
    rig.server.reply({ body: buildResolveBody(), headers: { 'x-ms-requestid': 'srv-req' } });
    const token = 'ab+cd/ef==';

    // Act
    const resolved = await rig.client.resolve(token, { correlationId: 'corr-1' });

    // Assess
    const [request] = rig.server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/saas/subscriptions/resolve', body: '' });
    expect(request!.query).toEqual({ 'api-version': '2018-08-31' });
    expect(request!.headers).toMatchObject({
      authorization: 'Bearer fake-bearer-token',
      'x-ms-marketplace-token': 'ab+cd/ef==',
      'x-ms-correlationid': 'corr-1',
      accept: 'application/json',
    });
    expect(request!.headers['x-ms-requestid']).toMatch(UUID);
    expect(request!.headers['content-type']).toBeUndefined();
    expect(resolved).toMatchObject({ id: SUBSCRIPTION_ID, planId: 'flat-rate', subscription: { saasSubscriptionStatus: 'PendingFulfillmentStart' } });
    expect(rig.credential.scopes).toEqual([MARKETPLACE_SCOPE]);
  });

  it('rejects an empty purchase token without calling the service', async () => {
    // Prepare
    const token = '';

    // Act
    const result = rig.client.resolve(token);

    // Assess
    await expect(result).rejects.toMatchObject({ code: 'ValidationFailed' });
    expect(rig.server.requests).toHaveLength(0);
  });

  it('refuses a purchase token longer than any real one without calling the service, and sends one at the bound', async () => {
    // Prepare
    rig.server.reply({ body: buildResolveBody() });
    const atBound = 'a'.repeat(MAX_PURCHASE_TOKEN_LENGTH);

    // Act
    const junk = await rig.client.resolve('a'.repeat(15_000)).catch((error: unknown) => error);
    const longest = await rig.client.resolve(atBound);

    // Assess
    expect(junk).toMatchObject({ code: 'ValidationFailed', message: expect.stringContaining(`longer than ${MAX_PURCHASE_TOKEN_LENGTH} characters`) });
    expect(longest.id).toBe(SUBSCRIPTION_ID);
    expect(rig.server.requests).toHaveLength(1);
    expect(rig.server.requests[0]!.headers['x-ms-marketplace-token']).toBe(atBound);
  });

  it('gets one subscription and generates a correlation id when none is given', async () => {
    // Prepare
    rig.server.reply({ body: buildSubscriptionBody() });

    // Act
    const subscription = await rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    const [request] = rig.server.requests;
    expect(request).toMatchObject({ method: 'GET', path: `/api/saas/subscriptions/${SUBSCRIPTION_ID}`, query: { 'api-version': '2018-08-31' } });
    expect(request!.headers['x-ms-correlationid']).toMatch(UUID);
    expect(request!.headers['x-ms-correlationid']).not.toBe(request!.headers['x-ms-requestid']);
    expect(subscription.id).toBe(SUBSCRIPTION_ID);
  });

  it('lists available plans, passing the optional planId filter', async () => {
    // Prepare
    rig.server.reply({ body: buildPlansBody() });

    // Act
    const plans = await rig.client.listAvailablePlans(SUBSCRIPTION_ID, { planId: 'gold' });

    // Assess
    expect(rig.server.requests[0]).toMatchObject({
      method: 'GET',
      path: `/api/saas/subscriptions/${SUBSCRIPTION_ID}/listAvailablePlans`,
      query: { 'api-version': '2018-08-31', planId: 'gold' },
    });
    expect(plans.map((plan) => plan.planId)).toEqual(['gold', 'seats']);
  });

  it('returns no plans when the service answers 200 with an empty body', async () => {
    // Prepare
    rig.server.reply({ status: 200 });

    // Act
    const plans = await rig.client.listAvailablePlans(SUBSCRIPTION_ID);

    // Assess
    expect(plans).toEqual([]);
  });

  it.each([
    ['flat rate', { planId: 'gold' }, { planId: 'gold' }],
    ['per seat', { planId: 'seats', quantity: 5 }, { planId: 'seats', quantity: 5 }],
  ])('activates a %s subscription with a JSON body', async (_name, plan, expectedBody) => {
    // Prepare
    rig.server.reply({ status: 200 });

    // Act
    await rig.client.activate(SUBSCRIPTION_ID, plan);

    // Assess
    const [request] = rig.server.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/api/saas/subscriptions/${SUBSCRIPTION_ID}/activate` });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.json).toEqual(expectedBody);
  });

  it.each([
    ['changePlan', (rig: MarketplaceTestRig) => rig.client.changePlan(SUBSCRIPTION_ID, 'gold'), 'PATCH', { planId: 'gold' }],
    ['changeQuantity', (rig: MarketplaceTestRig) => rig.client.changeQuantity(SUBSCRIPTION_ID, 20), 'PATCH', { quantity: 20 }],
    ['deleteSubscription', (rig: MarketplaceTestRig) => rig.client.deleteSubscription(SUBSCRIPTION_ID), 'DELETE', undefined],
  ])('%s returns the operation from the 202 headers', async (_name, act, method, expectedBody) => {
    // Prepare
    const location = `${rig.server.baseUrl}/saas/subscriptions/${SUBSCRIPTION_ID}/operations/op-1?api-version=2018-08-31`;
    rig.server.reply({ status: 202, headers: { 'Operation-Location': location, 'Operation-Id': 'op-1', 'Retry-After': '10' } });

    // Act
    const accepted = await act(rig);

    // Assess
    const [request] = rig.server.requests;
    expect(request).toMatchObject({ method, path: `/api/saas/subscriptions/${SUBSCRIPTION_ID}`, query: { 'api-version': '2018-08-31' } });
    expect(request!.json).toEqual(expectedBody);
    expect(request!.headers['content-type']).toBe(expectedBody === undefined ? undefined : 'application/json');
    expect(accepted).toEqual({ operationId: 'op-1', operationLocation: location, retryAfterSeconds: 10 });
  });

  it('derives the operation id from Operation-Location when Operation-Id is absent', async () => {
    // Prepare
    const location = `https://main.prod.marketplaceapi.azure.com/api/saas/subscriptions/${SUBSCRIPTION_ID}/operations/op-9?api-version=2018-08-31`;
    rig.server.reply({ status: 202, headers: { 'Operation-Location': location } });

    // Act
    const accepted = await rig.client.changeQuantity(SUBSCRIPTION_ID, 3);

    // Assess
    expect(accepted).toEqual({ operationId: 'op-9', operationLocation: location });
  });

  it('builds the operation location from Operation-Id when Operation-Location is absent', async () => {
    // Prepare
    rig.server.reply({ status: 202, headers: { 'Operation-Id': 'op-7' } });

    // Act
    const accepted = await rig.client.deleteSubscription(SUBSCRIPTION_ID);

    // Assess
    expect(accepted.operationLocation).toBe(
      `${rig.server.baseUrl}/saas/subscriptions/${SUBSCRIPTION_ID}/operations/op-7?api-version=2018-08-31`,
    );
  });

  it('reports a 202 without any operation header as a malformed response', async () => {
    // Prepare
    rig.server.reply({ status: 202 });

    // Act
    const result = rig.client.changePlan(SUBSCRIPTION_ID, 'gold');

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'malformedResponse', status: 202, operation: 'changePlan' });
  });

  it('refuses a non-integer quantity before sending', async () => {
    // Prepare
    const quantity = 1.5;

    // Act
    const result = rig.client.changeQuantity(SUBSCRIPTION_ID, quantity);

    // Assess
    await expect(result).rejects.toBeInstanceOf(RangeError);
    expect(rig.server.requests).toHaveLength(0);
  });

  it('encodes ids as a single path segment', async () => {
    // Prepare
    rig.server.reply({ body: buildSubscriptionBody() });

    // Act
    await rig.client.getSubscription('a/../b?c');

    // Assess
    expect(rig.server.requests[0]!.path).toBe('/api/saas/subscriptions/a%2F..%2Fb%3Fc');
  });
});
