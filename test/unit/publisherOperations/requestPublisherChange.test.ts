import { NotFoundError, ValidationError } from '../../../shared/errors';
import { MarketplaceApiError } from '../../../shared/marketplace';
import { readDetails, requestPublisherChange } from '../../../shared/publisherOperations';
import { fulfillmentRig, NOW, SUBSCRIPTION_ID } from './fakeFulfillment';

describe('requestPublisherChange', () => {
  it('sends the plan change, records a Queued Publisher row and queues its first poll after Retry-After', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.known();

    // Act
    const result = await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'ChangePlan', planId: 'business' });

    // Assess
    expect(rig.marketplace.callsOf('changePlan')).toEqual([[SUBSCRIPTION_ID, 'business']]);
    expect(result).toMatchObject({ outcome: 'accepted', retryAfterSeconds: 10, operation: { state: 'Queued', source: 'Publisher', action: 'ChangePlan', planId: 'business', done: false } });
    const row = (await rig.operations.get(result.operation.id))?.value;
    const [operationId] = [...rig.marketplace.operations.keys()];
    expect(row && readDetails(row)).toEqual({ operationId, operationLocation: rig.marketplace.locationOf(SUBSCRIPTION_ID, operationId ?? '') });
    expect(rig.trackingQueue.sent).toEqual([
      expect.objectContaining({
        message: expect.objectContaining({ requestId: result.operation.id, operationId, action: 'ChangePlan', delaySeconds: 10 }),
        options: { visibilityDelaySeconds: 10 },
      }),
    ]);
  });

  it('learns the plans Microsoft offers into the catalog while validating', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.known();

    // Act
    await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'ChangeQuantity', quantity: 20 });

    // Assess
    expect((await rig.plans.listByOffer('contoso-seats')).items.map((plan) => plan.planId)).toEqual(['business', 'enterprise', 'team']);
  });

  it('writes a history row naming the request and the target', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.known();

    // Act
    const result = await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'ChangeQuantity', quantity: 20 });

    // Assess
    expect(await rig.historyOf()).toEqual([
      expect.objectContaining({ kind: 'PublisherChangeRequested', at: NOW, to: { quantity: 20 }, detail: expect.stringContaining(result.operation.id) }),
    ]);
  });

  it('refuses a change Microsoft would refuse with the reasons, without sending anything or recording a row', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.known();

    // Act
    const error = await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'ChangeQuantity', quantity: 500 }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual(['quantity: plan team allows 1–50 seats, not 500']);
    expect(rig.marketplace.callsOf('changeQuantity')).toEqual([]);
    expect(rig.trackingQueue.sent).toEqual([]);
  });

  it('cancels without asking for the plans', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.known();

    // Act
    const result = await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'Unsubscribe' });

    // Assess
    expect(result.outcome).toBe('accepted');
    expect(rig.marketplace.callsOf('deleteSubscription')).toEqual([[SUBSCRIPTION_ID]]);
    expect(rig.marketplace.callsOf('listAvailablePlans')).toEqual([]);
  });

  it('answers NotFound for a subscription this app does not know', async () => {
    // Prepare
    const rig = fulfillmentRig();

    // Act
    const error = await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'Unsubscribe' }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it.each([400, 404, 409])('records Microsoft refusing with %i as a Failed row that says why, and queues no poll', async (status) => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.known();
    rig.marketplace.fail('changePlan', new MarketplaceApiError({ kind: 'http', operation: 'changePlan', status, serviceCode: 'Conflict', serviceMessage: 'Operation x is still InProgress' }));

    // Act
    const result = await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'ChangePlan', planId: 'business' });

    // Assess
    expect(result).toMatchObject({ outcome: 'refused', marketplaceStatus: status });
    const row = (await rig.operations.get(result.operation.id))?.value;
    expect(row).toMatchObject({ state: 'Failed', source: 'Publisher', marketplaceStatus: `HTTP ${status}`, lastError: { code: 'MarketplaceRefused', at: NOW } });
    expect(row?.lastError?.message).toBe(`Microsoft refused the ChangePlan request with HTTP ${status} (Conflict: Operation x is still InProgress)`);
    expect(rig.trackingQueue.sent).toEqual([]);
  });

  it('records a timeout as MarketplaceUnavailable: the change may or may not have started', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.known();
    rig.marketplace.fail('changeQuantity', new MarketplaceApiError({ kind: 'timeout', operation: 'changeQuantity' }));

    // Act
    const result = await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'ChangeQuantity', quantity: 20 });

    // Assess
    expect(result.outcome).toBe('unavailable');
    expect(result.operation.error).toEqual(expect.objectContaining({ code: 'MarketplaceUnavailable', message: expect.stringContaining('may or may not have started') }));
  });
});
