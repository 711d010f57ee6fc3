import { buildDuplicateBody, buildUsageEventOkBody, SUBSCRIPTION_ID } from '../../fakes/marketplaceFixtures';
import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';
import { type UsageEvent } from '../../../shared/marketplace/schemas/metering';

const EVENT: UsageEvent = {
  resourceId: SUBSCRIPTION_ID,
  quantity: 5,
  dimension: 'emails',
  effectiveStartTime: new Date('2024-01-10T08:00:00Z'),
  planId: 'gold',
};

const WIRE_EVENT = { resourceId: SUBSCRIPTION_ID, quantity: 5, dimension: 'emails', effectiveStartTime: '2024-01-10T08:00:00.000Z', planId: 'gold' };

describe('marketplace client: metering', () => {
  let rig: MarketplaceTestRig;

  beforeEach(async () => {
    rig = await createMarketplaceTestRig();
  });

  afterEach(async () => {
    await rig.close();
  });

  it('posts one usage event and returns it as accepted', async () => {
    // Prepare
    rig.server.reply({ body: buildUsageEventOkBody() });

    // Act
    const result = await rig.client.postUsageEvent(EVENT, { correlationId: 'meter-1' });

    // Assess
    const [request] = rig.server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/usageEvent', query: { 'api-version': '2018-08-31' } });
    expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'x-ms-correlationid': 'meter-1', authorization: 'Bearer fake-bearer-token' });
    expect(request!.json).toEqual(WIRE_EVENT);
    expect(result).toEqual({ outcome: 'accepted', event: expect.objectContaining({ status: 'Accepted', usageEventId: 'f6c8e4a2-0000-4000-8000-000000000001' }) });
  });

  it('returns a 409 as a duplicate carrying the originally accepted event, without retrying', async () => {
    // Prepare
    rig.server.reply({ status: 409, body: buildDuplicateBody() });

    // Act
    const result = await rig.client.postUsageEvent(EVENT);

    // Assess
    expect(result).toEqual({
      outcome: 'duplicate',
      code: 'Conflict',
      message: 'This usage event already exist.',
      acceptedMessage: expect.objectContaining({ status: 'Duplicate', usageEventId: 'f6c8e4a2-0000-4000-8000-000000000001', quantity: 5 }),
    });
    expect(rig.server.requests).toHaveLength(1);
  });

  it('still reports a duplicate when the 409 body is unreadable', async () => {
    // Prepare
    rig.server.reply({ status: 409, body: '<html>conflict</html>' });

    // Act
    const result = await rig.client.postUsageEvent(EVENT);

    // Assess
    expect(result).toEqual({ outcome: 'duplicate', acceptedMessage: undefined, code: undefined, message: undefined });
  });

  it('posts a batch and parses mixed per-event results, unknown statuses included', async () => {
    // Prepare
    rig.server.reply({
      body: {
        count: 3,
        result: [
          buildUsageEventOkBody(),
          {
            ...buildUsageEventOkBody({ status: 'Duplicate', messageTime: '0001-01-01T00:00:00' }),
            error: { additionalInfo: { acceptedMessage: buildUsageEventOkBody({ status: 'Duplicate' }) }, message: 'This usage event already exist.', code: 'Conflict' },
          },
          { status: 'SomethingNew', dimension: 'sms', error: { code: 'BadArgument', message: 'nope' } },
        ],
      },
    });

    // Act
    const batch = await rig.client.postBatchUsageEvents([EVENT, { ...EVENT, dimension: 'sms' }, { ...EVENT, dimension: 'calls' }]);

    // Assess
    const [request] = rig.server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/batchUsageEvent' });
    expect(request!.json).toEqual({ request: [WIRE_EVENT, { ...WIRE_EVENT, dimension: 'sms' }, { ...WIRE_EVENT, dimension: 'calls' }] });
    expect(batch.count).toBe(3);
    expect(batch.result.map((item) => item.status)).toEqual(['Accepted', 'Duplicate', 'SomethingNew']);
    expect(batch.result[1]!.messageTime).toBeUndefined();
    expect(batch.result[1]!.error?.additionalInfo?.acceptedMessage?.status).toBe('Duplicate');
    expect(batch.result[2]!.error).toEqual({ code: 'BadArgument', message: 'nope' });
  });

  it.each([0, 26])('refuses a batch of %i events before sending', async (size) => {
    // Prepare
    const events = Array.from({ length: size }, () => EVENT);

    // Act
    const result = rig.client.postBatchUsageEvents(events);

    // Assess
    await expect(result).rejects.toBeInstanceOf(RangeError);
    expect(rig.server.requests).toHaveLength(0);
  });

  it('lists usage events with the documented query names, UsageEndDate with a capital U', async () => {
    // Prepare
    rig.server.reply({
      body: [
        {
          usageDate: '2024-01-10T00:00:00',
          usageResourceId: SUBSCRIPTION_ID,
          dimension: 'emails',
          planId: 'gold',
          offerType: 'SaaS',
          reconStatus: 'Accepted',
          submittedQuantity: 17,
          processedQuantity: '17',
          submittedCount: 3,
        },
      ],
    });

    // Act
    const usage = await rig.client.listUsageEvents({
      usageStartDate: '2024-01-01',
      usageEndDate: new Date('2024-01-31T00:00:00Z'),
      offerId: 'offer',
      planId: 'gold',
      dimension: 'emails',
      azureSubscriptionId: 'azsub',
      reconStatus: 'Accepted',
    });

    // Assess
    expect(rig.server.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/usageEvents',
      query: {
        'api-version': '2018-08-31',
        usageStartDate: '2024-01-01',
        UsageEndDate: '2024-01-31T00:00:00.000Z',
        offerId: 'offer',
        planId: 'gold',
        dimension: 'emails',
        azureSubscriptionId: 'azsub',
        reconStatus: 'Accepted',
      },
    });
    expect(usage).toEqual([expect.objectContaining({ dimension: 'emails', processedQuantity: 17, reconStatus: 'Accepted' })]);
  });

  it('lists no usage for an empty body and sends only the given query values', async () => {
    // Prepare
    rig.server.reply({ status: 200 });

    // Act
    const usage = await rig.client.listUsageEvents({ usageStartDate: '2024-01-01' });

    // Assess
    expect(usage).toEqual([]);
    expect(rig.server.requests[0]!.query).toEqual({ 'api-version': '2018-08-31', usageStartDate: '2024-01-01' });
  });
});
