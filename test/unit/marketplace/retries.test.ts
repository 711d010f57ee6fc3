import { buildSubscriptionBody, SUBSCRIPTION_ID } from '../../fakes/marketplaceFixtures';
import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';
import { startFakeMarketplaceServer } from '../../fakes/fakeMarketplaceServer';
import { createFakeCredential } from '../../fakes/fakeCredential';
import { createMarketplaceClient } from '../../../shared/marketplace/createMarketplaceClient';
import { MarketplaceApiError } from '../../../shared/marketplace/errors';

const ACCEPTED = { status: 202, headers: { 'Operation-Id': 'op-1' } };

describe('marketplace client: retries and failures', () => {
  let rig: MarketplaceTestRig;

  beforeEach(async () => {
    rig = await createMarketplaceTestRig();
  });

  afterEach(async () => {
    await rig.close();
  });

  it('waits as long as Retry-After (seconds) says after a 429, then succeeds', async () => {
    // Prepare
    rig.server.reply({ status: 429, headers: { 'Retry-After': '7' } }, { body: buildSubscriptionBody() });

    // Act
    const subscription = await rig.client.getSubscription(SUBSCRIPTION_ID, { correlationId: 'c-1' });

    // Assess
    expect(subscription.id).toBe(SUBSCRIPTION_ID);
    expect(rig.sleeps).toEqual([7000]);
    const [first, second] = rig.server.requests;
    expect(second!.headers['x-ms-correlationid']).toBe('c-1');
    expect(first!.headers['x-ms-correlationid']).toBe('c-1');
    expect(second!.headers['x-ms-requestid']).not.toBe(first!.headers['x-ms-requestid']);
  });

  it('honours a Retry-After HTTP-date against the injected clock', async () => {
    // Prepare (the rig's clock reads 2026-01-05T12:00:00Z)
    rig.server.reply({ status: 429, headers: { 'Retry-After': 'Mon, 05 Jan 2026 12:00:05 GMT' } }, { body: buildSubscriptionBody() });

    // Act
    await rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    expect(rig.sleeps).toEqual([5000]);
  });

  it('gives up after maxAttempts on repeated 5xx with a typed error and jittered exponential waits', async () => {
    // Prepare
    const unavailable = { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'try later' } } };
    rig.server.reply(unavailable, unavailable, unavailable, unavailable, { body: buildSubscriptionBody() });

    // Act
    const result = rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    await expect(result).rejects.toBeInstanceOf(MarketplaceApiError);
    await expect(result).rejects.toMatchObject({ kind: 'http', status: 503, attempts: 4, serviceCode: 'ServiceUnavailable', operation: 'getSubscription' });
    expect(rig.server.requests).toHaveLength(4);
    expect(rig.sleeps).toEqual([250, 500, 1000]);
  });

  it.each([500, 502, 504])('retries a %i on a read', async (status) => {
    // Prepare
    rig.server.reply({ status }, { body: buildSubscriptionBody() });

    // Act
    const subscription = await rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    expect(subscription.id).toBe(SUBSCRIPTION_ID);
    expect(rig.server.requests).toHaveLength(2);
  });

  it('does not wait beyond the retry budget', async () => {
    // Prepare
    rig.server.reply({ status: 429, headers: { 'Retry-After': '31' } }, { body: buildSubscriptionBody() });

    // Act
    const result = rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    await expect(result).rejects.toMatchObject({ status: 429, attempts: 1 });
    expect(rig.sleeps).toEqual([]);
  });

  it('reports a request that gets no answer within requestTimeoutMs as a timeout, after retrying it', async () => {
    // Prepare
    const slow = await createMarketplaceTestRig({ requestTimeoutMs: 100, maxAttempts: 2 });
    slow.server.reply({ hang: true }, { hang: true });

    // Act
    const result = slow.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'timeout', status: undefined, attempts: 2 });
    expect(slow.server.requests).toHaveLength(2);
    await slow.close();
  });

  it('reports invalid JSON as a malformed response and does not retry it', async () => {
    // Prepare
    rig.server.reply({ body: '{"id": "37f9dea2", ' }, { body: buildSubscriptionBody() });

    // Act
    const result = rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'malformedResponse', status: 200, operation: 'getSubscription' });
    expect(rig.server.requests).toHaveLength(1);
  });

  it('reports a body missing required fields as a malformed response naming the field', async () => {
    // Prepare
    const { planId: _dropped, ...withoutPlan } = buildSubscriptionBody();
    rig.server.reply({ body: withoutPlan });

    // Act
    const result = rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'malformedResponse', serviceMessage: expect.stringContaining('planId') });
  });

  it('retries a connection reset on a read', async () => {
    // Prepare
    rig.server.reply({ destroy: true }, { body: buildSubscriptionBody() });

    // Act
    const subscription = await rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    expect(subscription.id).toBe(SUBSCRIPTION_ID);
    expect(rig.server.requests).toHaveLength(2);
  });

  it('retries when nothing listens, and ends with kind network', async () => {
    // Prepare
    const closed = await startFakeMarketplaceServer();
    await closed.close();
    const sleeps: number[] = [];
    const client = createMarketplaceClient({
      baseUrl: closed.baseUrl,
      credential: createFakeCredential(),
      maxAttempts: 3,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });

    // Act
    const result = client.changePlan(SUBSCRIPTION_ID, 'gold');

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'network', attempts: 3 });
    expect(sleeps).toHaveLength(2);
  });

  describe('change plan, change quantity and delete (not idempotent)', () => {
    it.each([
      ['429', { status: 429 }],
      ['503 with Retry-After', { status: 503, headers: { 'Retry-After': '2' } }],
    ])('are retried after a %s, which means the request was not accepted', async (_name, refusal) => {
      // Prepare
      rig.server.reply(refusal, ACCEPTED);

      // Act
      const accepted = await rig.client.changePlan(SUBSCRIPTION_ID, 'gold');

      // Assess
      expect(accepted.operationId).toBe('op-1');
      expect(rig.server.requests).toHaveLength(2);
    });

    it.each([
      ['500', { status: 500 }],
      ['503 without Retry-After', { status: 503 }],
      ['connection reset', { destroy: true }],
    ])('are not retried after a %s, since the change may have started', async (_name, failure) => {
      // Prepare
      rig.server.reply(failure, ACCEPTED);

      // Act
      const result = rig.client.deleteSubscription(SUBSCRIPTION_ID);

      // Assess
      await expect(result).rejects.toBeInstanceOf(MarketplaceApiError);
      expect(rig.server.requests).toHaveLength(1);
    });
  });

  it('rethrows a caller abort as is and does not retry', async () => {
    // Prepare
    const controller = new AbortController();
    rig.server.reply(() => {
      controller.abort(new Error('caller gave up'));
      return { hang: true };
    });

    // Act
    const result = rig.client.getSubscription(SUBSCRIPTION_ID, { signal: controller.signal });

    // Assess
    await expect(result).rejects.toThrow('caller gave up');
    expect(rig.server.requests).toHaveLength(1);
    expect(rig.sleeps).toEqual([]);
  });
});
