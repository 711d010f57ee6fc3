import { SUBSCRIPTION_ID } from '../../fakes/marketplaceFixtures';
import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';
import { MarketplaceApiError } from '../../../shared/marketplace/errors';
import { ServiceError } from '../../../shared/errors';

const SERVICE_IDS = { 'x-ms-requestid': 'srv-request', 'x-ms-correlationid': 'srv-correlation', 'x-ms-activityid': 'srv-activity' };

describe('marketplace client: error details', () => {
  let rig: MarketplaceTestRig;

  beforeEach(async () => {
    rig = await createMarketplaceTestRig();
  });

  afterEach(async () => {
    await rig.close();
  });

  it.each([
    ['400 with error.code/error.message', 400, { error: { code: 'BadRequest', message: 'The planId is invalid' } }, 'BadRequest', 'The planId is invalid'],
    ['403 with top-level code/message', 403, { code: 'Forbidden', message: 'Authorization failed' }, 'Forbidden', 'Authorization failed'],
    ['404 with a mix of both', 404, { error: { code: 'NotFound' }, message: 'Subscription not found' }, 'NotFound', 'Subscription not found'],
  ])('reads a %s, with the ids from the response headers', async (_name, status, body, serviceCode, serviceMessage) => {
    // Prepare
    rig.server.reply({ status, body, headers: SERVICE_IDS });

    // Act
    const error = await rig.client.getSubscription(SUBSCRIPTION_ID).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(MarketplaceApiError);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({
      code: 'MarketplaceRequestFailed',
      kind: 'http',
      operation: 'getSubscription',
      status,
      serviceCode,
      serviceMessage,
      requestId: 'srv-request',
      correlationId: 'srv-correlation',
      activityId: 'srv-activity',
      attempts: 1,
    });
    expect((error as Error).message).toBe(
      `Marketplace getSubscription failed (HTTP ${status} ${serviceCode}: ${serviceMessage}) [requestId srv-request, correlationId srv-correlation, activityId srv-activity]`,
    );
    expect(rig.server.requests).toHaveLength(1);
  });

  it('falls back to the ids it sent when the error response has neither ids nor a body', async () => {
    // Prepare
    rig.server.reply({ status: 404 });

    // Act
    const error = await rig.client.getSubscription(SUBSCRIPTION_ID, { correlationId: 'mine' }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 404, serviceCode: undefined, serviceMessage: undefined, correlationId: 'mine', activityId: undefined });
    expect((error as MarketplaceApiError).requestId).toBe(rig.server.requests[0]!.headers['x-ms-requestid']);
  });

  it('treats a 400 on activate of an already Subscribed subscription as a plain, unretried http error', async () => {
    // Prepare
    rig.server.reply({ status: 400, body: { error: { code: 'BadRequest', message: 'Subscription is in Subscribed state' } } });

    // Act
    const result = rig.client.activate(SUBSCRIPTION_ID, { planId: 'gold' });

    // Assess
    await expect(result).rejects.toMatchObject({ kind: 'http', status: 400, operation: 'activate' });
    expect(rig.server.requests).toHaveLength(1);
  });
});
