import { buildSubscriptionBody } from '../../fakes/marketplaceFixtures';
import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';
import { type MarketplaceSubscription } from '../../../shared/marketplace/schemas/subscription';

async function collect(iterable: AsyncIterable<MarketplaceSubscription>): Promise<string[]> {
  const ids: string[] = [];
  for await (const subscription of iterable) ids.push(subscription.id);
  return ids;
}

describe('marketplace client: listSubscriptions', () => {
  let rig: MarketplaceTestRig;

  beforeEach(async () => {
    rig = await createMarketplaceTestRig();
  });

  afterEach(async () => {
    await rig.close();
  });

  it('follows @nextLink across three pages with one correlation id', async () => {
    // Prepare
    const link = (token: string): string => `${rig.server.baseUrl}/saas/subscriptions?continuationToken=${token}&api-version=2018-08-31`;
    rig.server.reply(
      { body: { subscriptions: [buildSubscriptionBody({ id: 's1' }), buildSubscriptionBody({ id: 's2' })], '@nextLink': link('p2') } },
      { body: { subscriptions: [buildSubscriptionBody({ id: 's3' })], '@nextLink': link('p3') } },
      { body: { subscriptions: [buildSubscriptionBody({ id: 's4' })] } },
    );

    // Act
    const ids = await collect(rig.client.listSubscriptions({ correlationId: 'list-corr' }));

    // Assess
    expect(ids).toEqual(['s1', 's2', 's3', 's4']);
    expect(rig.server.requests.map((r) => r.query)).toEqual([
      { 'api-version': '2018-08-31' },
      { continuationToken: 'p2', 'api-version': '2018-08-31' },
      { continuationToken: 'p3', 'api-version': '2018-08-31' },
    ]);
    expect(rig.server.requests.every((r) => r.method === 'GET' && r.path === '/api/saas/subscriptions')).toBe(true);
    expect(new Set(rig.server.requests.map((r) => r.headers['x-ms-correlationid']))).toEqual(new Set(['list-corr']));
    expect(new Set(rig.server.requests.map((r) => r.headers['x-ms-requestid'])).size).toBe(3);
  });

  it('puts a bare continuationToken on the list URL', async () => {
    // Prepare
    rig.server.reply(
      { body: { subscriptions: [buildSubscriptionBody({ id: 's1' })], continuationToken: 'tok+1' } },
      { body: { subscriptions: [buildSubscriptionBody({ id: 's2' })], '@nextLink': 'tok+2' } },
      { body: { subscriptions: [] } },
    );

    // Act
    const ids = await collect(rig.client.listSubscriptions());

    // Assess
    expect(ids).toEqual(['s1', 's2']);
    expect(rig.server.requests.map((r) => r.query.continuationToken)).toEqual([undefined, 'tok+1', 'tok+2']);
  });

  it('adds api-version to a @nextLink that lacks it', async () => {
    // Prepare
    rig.server.reply(
      { body: { subscriptions: [], '@nextLink': `${rig.server.baseUrl}/saas/subscriptions?continuationToken=x` } },
      { body: { subscriptions: [] } },
    );

    // Act
    await collect(rig.client.listSubscriptions());

    // Assess
    expect(rig.server.requests[1]!.query).toEqual({ continuationToken: 'x', 'api-version': '2018-08-31' });
  });

  it.each([
    ['an empty body', undefined],
    ['an empty object', {}],
    ['a null list', { subscriptions: null }],
  ])('yields nothing for %s', async (_name, body) => {
    // Prepare
    rig.server.reply({ status: 200, body });

    // Act
    const ids = await collect(rig.client.listSubscriptions());

    // Assess
    expect(ids).toEqual([]);
    expect(rig.server.requests).toHaveLength(1);
  });

  it('stops with a malformed response when @nextLink points back at a page already read', async () => {
    // Prepare
    const self = `${rig.server.baseUrl}/saas/subscriptions?api-version=2018-08-31`;
    rig.server.reply({ body: { subscriptions: [buildSubscriptionBody()], '@nextLink': self } });

    // Act
    const result = collect(rig.client.listSubscriptions());

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'malformedResponse', operation: 'listSubscriptions' });
    expect(rig.server.requests).toHaveLength(1);
  });
});
