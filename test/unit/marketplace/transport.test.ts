import { getEventListeners } from 'node:events';
import { type TokenCredential } from '@azure/core-auth';
import { sendHttp } from '../../../shared/marketplace/httpSender';
import { buildSubscriptionBody, SUBSCRIPTION_ID } from '../../fakes/marketplaceFixtures';
import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';

describe('marketplace client: transport edge cases', () => {
  let rig: MarketplaceTestRig | undefined;

  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('stops waiting between attempts as soon as the caller aborts', async () => {
    // Prepare
    const controller = new AbortController();
    rig = await createMarketplaceTestRig({
      sleep: () => {
        controller.abort(new Error('shutting down'));
        return new Promise<void>(() => undefined);
      },
    });
    rig.server.reply({ status: 500 }, { body: buildSubscriptionBody() });

    // Act
    const result = rig.client.getSubscription(SUBSCRIPTION_ID, { signal: controller.signal });

    // Assess
    await expect(result).rejects.toThrow('shutting down');
    expect(rig.server.requests).toHaveLength(1);
  });

  it('reports a credential failure as MarketplaceTokenUnavailable without calling the service', async () => {
    // Prepare
    const failing: TokenCredential = { getToken: () => Promise.reject(new Error('AADSTS7000215: Invalid client secret')) };
    rig = await createMarketplaceTestRig({ credential: failing });

    // Act
    const result = rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    await expect(result).rejects.toMatchObject({ code: 'MarketplaceTokenUnavailable' });
    expect(rig.server.requests).toHaveLength(0);
  });

  it('leaves no listener on the signal it gave the HTTP sender once the call is over, and keeps the connection alive', async () => {
    // Prepare
    const signals: AbortSignal[] = [];
    rig = await createMarketplaceTestRig({
      http: (url, init) => {
        signals.push(init.signal);
        return sendHttp(url, init);
      },
    });
    rig.server.reply({ body: buildSubscriptionBody() }, { body: buildSubscriptionBody({ name: 'second' }) });

    // Act
    const names: Array<string | undefined> = [];
    names.push((await rig.client.getSubscription(SUBSCRIPTION_ID)).name);
    names.push((await rig.client.getSubscription(SUBSCRIPTION_ID)).name);

    // Assess
    expect(names[1]).toBe('second');
    expect(signals).toHaveLength(2);
    expect(signals.map((signal) => getEventListeners(signal, 'abort').length)).toEqual([0, 0]);
    expect(rig.server.requests[1]?.remotePort).toBe(rig.server.requests[0]?.remotePort);
  });

  it('sends a fresh request id per attempt and keeps the caller correlation id', async () => {
    // Prepare
    rig = await createMarketplaceTestRig();
    rig.server.reply({ status: 502 }, { status: 504 }, { body: buildSubscriptionBody() });

    // Act
    await rig.client.getSubscription(SUBSCRIPTION_ID, { correlationId: 'one-call' });

    // Assess
    const requestIds = rig.server.requests.map((r) => r.headers['x-ms-requestid']);
    expect(new Set(requestIds).size).toBe(3);
    expect(rig.server.requests.map((r) => r.headers['x-ms-correlationid'])).toEqual(['one-call', 'one-call', 'one-call']);
  });
});
