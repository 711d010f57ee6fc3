import { buildOperationBody, buildSubscriptionBody, SUBSCRIPTION_ID } from '../../fakes/marketplaceFixtures';
import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';
import { type FakeMarketplaceServer, startFakeMarketplaceServer } from '../../fakes/fakeMarketplaceServer';
import { createFakeCredential } from '../../fakes/fakeCredential';
import { createMarketplaceClient } from '../../../shared/marketplace/createMarketplaceClient';
import { MarketplaceApiError, UntrustedHostError } from '../../../shared/marketplace/errors';
import { MARKETPLACE_SCOPE } from '../../../shared/marketplace/constants';
import { createLogger, type LogFields } from '../../../shared/logging';

async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _item of iterable) count++;
  return count;
}

describe('marketplace client: where the bearer token may go', () => {
  let rig: MarketplaceTestRig;
  let stranger: FakeMarketplaceServer;

  beforeEach(async () => {
    rig = await createMarketplaceTestRig();
    stranger = await startFakeMarketplaceServer();
  });

  afterEach(async () => {
    await rig.close();
    await stranger.close();
  });

  it('asks the credential for the marketplace scope on every request', async () => {
    // Prepare
    rig.server.reply({ status: 500 }, { body: buildSubscriptionBody() });

    // Act
    await rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    expect(rig.credential.scopes).toEqual([MARKETPLACE_SCOPE, MARKETPLACE_SCOPE]);
    expect(MARKETPLACE_SCOPE).toBe('20e940b3-4c77-4b0b-9a53-9e16a1b010a7/.default');
  });

  it('does not follow a @nextLink to a host outside the allow-list', async () => {
    // Prepare
    stranger.reply({ body: { subscriptions: [] } });
    rig.server.reply({ body: { subscriptions: [buildSubscriptionBody()], '@nextLink': `${stranger.baseUrl}/saas/subscriptions?continuationToken=x` } });

    // Act
    const result = drain(rig.client.listSubscriptions());

    // Assess
    await expect(result).rejects.toBeInstanceOf(UntrustedHostError);
    await expect(result).rejects.toMatchObject({ code: 'UntrustedHost', host: stranger.host });
    expect(stranger.requests).toHaveLength(0);
  });

  it('does not follow an Operation-Location to a host outside the allow-list', async () => {
    // Prepare
    stranger.reply({ body: buildOperationBody() });

    // Act
    const result = rig.client.getOperationByLocation(`${stranger.baseUrl}/saas/subscriptions/s/operations/o?api-version=2018-08-31`);

    // Assess
    await expect(result).rejects.toMatchObject({ code: 'UntrustedHost' });
    expect(stranger.requests).toHaveLength(0);
  });

  it('follows links to a host added with extraAllowedHosts', async () => {
    // Prepare
    const trusting = await createMarketplaceTestRig({ extraAllowedHosts: [stranger.host] });
    trusting.server.reply({ body: { subscriptions: [buildSubscriptionBody()], '@nextLink': `${stranger.baseUrl}/saas/subscriptions?continuationToken=x` } });
    stranger.reply({ body: { subscriptions: [buildSubscriptionBody({ id: 's2' })] } });

    // Act
    const count = await drain(trusting.client.listSubscriptions());

    // Assess
    expect(count).toBe(2);
    expect(stranger.requests[0]!.headers.authorization).toBe('Bearer fake-bearer-token');
    await trusting.close();
  });

  it('does not follow redirects', async () => {
    // Prepare
    rig.server.reply({ status: 302, headers: { Location: `${stranger.baseUrl}/saas/subscriptions/${SUBSCRIPTION_ID}` } });
    stranger.reply({ body: buildSubscriptionBody() });

    // Act
    const result = rig.client.getSubscription(SUBSCRIPTION_ID);

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'http', status: 302 });
    expect(stranger.requests).toHaveLength(0);
  });

  it('refuses a plain-http base URL on a non-loopback host at construction', () => {
    // Prepare
    const options = { baseUrl: 'http://marketplaceapi.microsoft.com/api', credential: createFakeCredential() };

    // Act
    const create = (): unknown => createMarketplaceClient(options);

    // Assess
    expect(create).toThrow(UntrustedHostError);
  });

  it('keeps bearer and purchase tokens out of error messages and logs, even when the service echoes them', async () => {
    // Prepare
    const entries: Array<{ message: string; fields: LogFields }> = [];
    const logger = createLogger((_level, message, fields) => entries.push({ message, fields }), { level: 'debug' });
    const quiet = await createMarketplaceTestRig({ logger });
    const purchaseToken = 'pt+secret/value==';
    const echo = { status: 400, body: { error: { code: 'BadRequest', message: `Token ${purchaseToken} is expired` } } };
    quiet.server.reply({ status: 503, headers: { 'Retry-After': '1' } }, echo);

    // Act
    const error = (await quiet.client.resolve(purchaseToken).catch((e: unknown) => e)) as MarketplaceApiError;

    // Assess
    expect(error).toBeInstanceOf(MarketplaceApiError);
    expect(error.serviceMessage).toBe('Token [REDACTED] is expired');
    const visible = JSON.stringify({ message: error.message, details: error.details, entries });
    expect(entries.length).toBeGreaterThan(0);
    expect(visible).not.toContain(purchaseToken);
    expect(visible).not.toContain(quiet.credential.token);
    await quiet.close();
  });
});
