import { NotFoundError } from '../../../shared/errors';
import { getOperationStatus, requestPublisherChange } from '../../../shared/publisherOperations';
import { fulfillmentRig, NOW, SUBSCRIPTION_ID } from './fakeFulfillment';

describe('getOperationStatus', () => {
  it('shows a publisher request with Microsoft’s operation id and without its internals', async () => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.known();
    const { operation } = await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'ChangePlan', planId: 'business' });

    // Act
    const view = await getOperationStatus(rig, operation.id);

    // Assess
    expect(view).toEqual({
      id: operation.id,
      subscriptionId: SUBSCRIPTION_ID,
      action: 'ChangePlan',
      source: 'Publisher',
      state: 'Queued',
      done: false,
      marketplaceOperationId: [...rig.marketplace.operations.keys()][0],
      planId: 'business',
      requestedAt: NOW,
      updatedAt: NOW,
      polls: 0,
    });
  });

  it.each([
    ['Completed', 'Succeeded', { state: 'Completed', done: true, marketplaceStatus: 'Succeeded', localOutcome: 'appliedByWebhook' }],
    ['Completed', 'Conflict', { state: 'Failed', done: true, marketplaceStatus: 'Conflict', error: expect.objectContaining({ code: 'OperationConflict' }) }],
    ['Processing', undefined, { state: 'Queued', done: false }],
    ['Queued', 'InProgress', { state: 'Queued', done: false }],
  ] as const)('reflects the webhook path when it finished Microsoft\'s operation before the poll (webhook row %s, %s) (#14 item 4)', async (state, marketplaceStatus, expected) => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.known();
    const { operation } = await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, { action: 'ChangeQuantity', quantity: 20 });
    const operationId = operation.marketplaceOperationId!;
    await rig.operations.create({
      id: operationId,
      subscriptionId: SUBSCRIPTION_ID,
      action: 'ChangeQuantity',
      source: 'Partner',
      state,
      ...(marketplaceStatus === undefined ? {} : { marketplaceStatus }),
      receivedAt: NOW,
      updatedAt: '2026-03-02T12:00:03.000Z',
      attempts: 1,
    });

    // Act
    const view = await getOperationStatus(rig, operation.id);

    // Assess
    expect(view).toMatchObject({ id: operation.id, marketplaceOperationId: operationId, ...expected });
  });

  it('shows a webhook operation’s row by Microsoft’s id, never its raw payload', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const id = '529f53a3-a5b8-4b8e-9f5e-7a3d0c6fa7a2';
    await rig.operations.create({ id, subscriptionId: SUBSCRIPTION_ID, action: 'Suspend', source: 'Azure', state: 'Completed', receivedAt: NOW, updatedAt: NOW, attempts: 1, payload: '{"purchaser":{"emailId":"buyer@contoso.example"}}' });

    // Act
    const view = await getOperationStatus(rig, id);

    // Assess
    expect(view).toMatchObject({ id, marketplaceOperationId: id, state: 'Completed', done: true });
    expect(JSON.stringify(view)).not.toContain('buyer@contoso.example');
  });

  it.each(['unknown-request', '~subscription~37f9dea2-4345-438f-b0bd-03d40d28c7e0', 'a/b'])('answers NotFound for %s', async (id) => {
    // Prepare
    const rig = fulfillmentRig();
    await rig.operations.create({ id: '~subscription~37f9dea2-4345-438f-b0bd-03d40d28c7e0', subscriptionId: SUBSCRIPTION_ID, action: 'SubscriptionLease', state: 'Completed', receivedAt: NOW, updatedAt: NOW, attempts: 1 });

    // Act
    const error = await getOperationStatus(rig, id).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(NotFoundError);
  });
});
