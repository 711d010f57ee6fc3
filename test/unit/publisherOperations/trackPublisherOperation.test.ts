import { MarketplaceApiError, UntrustedHostError } from '../../../shared/marketplace';
import { convergeSubscription } from '../../../shared/operations/convergeSubscription';
import { acquireSubscriptionLease } from '../../../shared/operations/subscriptionLease';
import { BUSY_RETRY_SECONDS } from '../../../shared/publisherOperations/trackPublisherOperation';
import { readDetails, requestPublisherChange, trackPublisherOperation, type TrackingMessage } from '../../../shared/publisherOperations';
import type { PublisherChange } from '../../../shared/publisherOperations';
import { fulfillmentRig, SUBSCRIPTION_ID } from './fakeFulfillment';

type Rig = ReturnType<typeof fulfillmentRig>;

/** A change accepted by Microsoft: its first tracking message, taken off the queue. */
async function accepted(rig: Rig, change: PublisherChange = { action: 'ChangePlan', planId: 'business' }): Promise<TrackingMessage> {
  await rig.known();
  await requestPublisherChange(rig.changeDeps, SUBSCRIPTION_ID, change);
  const message = rig.trackingQueue.sent.shift()?.message;
  if (message === undefined) throw new Error('nothing queued');
  return message;
}

/** What processOperation does once a webhook's operation is final: converge on Get Subscription. */
async function webhookPath(rig: Rig, message: TrackingMessage): Promise<void> {
  const truth = await rig.marketplace.getSubscription(SUBSCRIPTION_ID);
  await convergeSubscription({ ...rig, logger: rig.logger }, truth, { operationId: message.operationId, action: message.action, at: rig.clock.now().toISOString() });
}

const row = async (rig: Rig, message: TrackingMessage) => (await rig.operations.get(message.requestId))?.value;
const historyKinds = async (rig: Rig) => (await rig.historyOf()).map((entry) => entry.kind).sort();

describe('trackPublisherOperation', () => {
  it('notes a status that is not final and polls again after twice the wait', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);
    rig.marketplace.finish(message.operationId, 'InProgress');

    // Act
    const outcome = await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect(outcome).toBe('waiting');
    expect(await row(rig, message)).toMatchObject({ state: 'Processing', marketplaceStatus: 'InProgress', attempts: 1 });
    expect(rig.trackingQueue.sent).toEqual([expect.objectContaining({ message: { ...message, delaySeconds: 20 }, options: { visibilityDelaySeconds: 20 } })]);
    expect((await rig.local())?.planId).toBe('team');
  });

  it('never waits longer than the configured maximum between polls', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);

    // Act
    await trackPublisherOperation({ ...rig.trackDeps, settings: { pollMaxDelaySeconds: 15, timeoutMs: 3_600_000 } }, message);

    // Assess
    expect(rig.trackingQueue.sent[0]?.options).toEqual({ visibilityDelaySeconds: 15 });
  });

  it('applies a Succeeded plan change to the record once, with history and one ISV event', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);
    rig.marketplace.finish(message.operationId, 'Succeeded');

    // Act
    const outcome = await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect(outcome).toBe('completed');
    expect((await rig.local())?.planId).toBe('business');
    const final = await row(rig, message);
    expect(final).toMatchObject({ state: 'Completed', marketplaceStatus: 'Succeeded' });
    expect(final && readDetails(final).localOutcome).toBe('applied');
    expect(await historyKinds(rig)).toEqual(['PlanChanged', 'PublisherChangeRequested']);
    expect(rig.isv.events.map((event) => [event.type, event.id])).toEqual([['saas.subscription.plan_changed', `${SUBSCRIPTION_ID}:${message.operationId}`]]);
    expect(rig.trackingQueue.sent).toEqual([]);
  });

  it('changes nothing more when the webhook applied the change first', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig, { action: 'ChangeQuantity', quantity: 20 });
    rig.marketplace.finish(message.operationId, 'Succeeded');
    await webhookPath(rig, message);
    const afterWebhook = await rig.subscriptions.get(SUBSCRIPTION_ID);

    // Act
    await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect((await rig.subscriptions.get(SUBSCRIPTION_ID))?.etag).toBe(afterWebhook?.etag);
    const final = await row(rig, message);
    expect(final && readDetails(final).localOutcome).toBe('alreadyApplied');
    expect(await historyKinds(rig)).toEqual(['PublisherChangeRequested', 'QuantityChanged']);
    expect(rig.isv.events).toHaveLength(1);
  });

  it('never moves the record back to its value when a newer marketplace change followed it (#13 item 7)', async () => {
    // Prepare: the publisher sets 20 seats; the webhook applies 20; then the buyer changes to 3 at
    // Microsoft and the webhook of that change applies 3; only then does the tracker's poll come.
    const rig = fulfillmentRig();
    const message = await accepted(rig, { action: 'ChangeQuantity', quantity: 20 });
    rig.marketplace.finish(message.operationId, 'Succeeded');
    await webhookPath(rig, message);
    rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.quantity = 3;
    await webhookPath(rig, { ...message, operationId: 'buyer-change-to-3' });
    expect((await rig.local())?.quantity).toBe(3);

    // Act
    const outcome = await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect(outcome).toBe('completed');
    expect((await rig.local())?.quantity).toBe(3);
    const final = await row(rig, message);
    expect(final && readDetails(final).localOutcome).toBe('superseded: Microsoft now reports 3 seats; the record follows Microsoft');
    expect(rig.isv.events.map((event) => event.data.subscription.quantity)).toEqual([20, 3]);
  });

  it('applies what Microsoft reports now, not the operation\'s target, when the poll comes first after a newer change', async () => {
    // Prepare: 20 seats succeeded, then 3 seats at Microsoft; no webhook has been processed yet.
    const rig = fulfillmentRig();
    const message = await accepted(rig, { action: 'ChangeQuantity', quantity: 20 });
    rig.marketplace.finish(message.operationId, 'Succeeded');
    rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!.quantity = 3;

    // Act
    await trackPublisherOperation(rig.trackDeps, message);
    await webhookPath(rig, { ...message, operationId: 'buyer-change-to-3' });

    // Assess: one change, 10 to 3, keyed apart from the 20-seat change it is not.
    expect((await rig.local())?.quantity).toBe(3);
    expect(rig.isv.events.map((event) => [event.id, event.data.changes])).toEqual([
      [`${SUBSCRIPTION_ID}:${message.operationId}:ChangeQuantity=3`, [{ field: 'quantity', from: 10, to: 3 }]],
    ]);
  });

  it('polls again shortly, without applying anything, while another worker holds the subscription', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig, { action: 'ChangeQuantity', quantity: 20 });
    rig.marketplace.finish(message.operationId, 'Succeeded');
    const lease = await acquireSubscriptionLease(rig.subscriptions, SUBSCRIPTION_ID, rig.clock.now(), 120_000);
    expect(lease).toBeDefined();

    // Act
    const outcome = await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect(outcome).toBe('waiting');
    expect((await rig.local())?.quantity).toBe(10);
    expect(rig.trackingQueue.sent).toEqual([expect.objectContaining({ message, options: { visibilityDelaySeconds: BUSY_RETRY_SECONDS } })]);
    expect((await row(rig, message))?.state).toBe('Queued');
  });

  it('leaves the webhook nothing to do when the poll applied the change first', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);
    rig.marketplace.finish(message.operationId, 'Succeeded');
    await trackPublisherOperation(rig.trackDeps, message);
    const afterPoll = await rig.subscriptions.get(SUBSCRIPTION_ID);

    // Act
    await webhookPath(rig, message);

    // Assess
    expect((await rig.subscriptions.get(SUBSCRIPTION_ID))?.etag).toBe(afterPoll?.etag);
    expect(await historyKinds(rig)).toEqual(['PlanChanged', 'PublisherChangeRequested']);
    expect(rig.isv.events).toHaveLength(1);
  });

  it('marks a cancellation Completed and the record Unsubscribed with its retention date', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig, { action: 'Unsubscribe' });
    rig.marketplace.finish(message.operationId, 'Succeeded');

    // Act
    await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect(await rig.local()).toMatchObject({ status: 'Unsubscribed', retainUntil: '2026-03-09T12:00:00.000Z' });
  });

  it.each([
    ['Failed', 'payment method declined', 'OperationFailed', 'Failed: payment method declined'],
    ['Conflict', undefined, 'OperationConflict', 'Conflict: the new value equals the current one'],
  ] as const)('marks the request Failed when Microsoft reports %s, with the reason, and leaves the record alone', async (status, reason, code, text) => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);
    rig.marketplace.finish(message.operationId, status, reason);

    // Act
    const outcome = await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect(outcome).toBe('failed');
    expect(await row(rig, message)).toMatchObject({ state: 'Failed', marketplaceStatus: status, lastError: { code, message: text } });
    expect((await rig.local())?.planId).toBe('team');
    expect(await historyKinds(rig)).toEqual(['PublisherChangeFailed', 'PublisherChangeRequested']);
  });

  it('stops polling once the timeout has passed and says so', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);
    rig.marketplace.finish(message.operationId, 'InProgress');
    rig.clock.advance(61 * 60_000);

    // Act
    const outcome = await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect(outcome).toBe('failed');
    expect((await row(rig, message))?.lastError).toMatchObject({ code: 'TimedOut', message: expect.stringMatching(/^still InProgress after 61 min; polling stopped/) });
    expect(rig.trackingQueue.sent).toEqual([]);
  });

  it.each([
    ['404 on Operation-Location', new MarketplaceApiError({ kind: 'http', operation: 'getOperationByLocation', status: 404 })],
    ['a location outside the allow-list', new UntrustedHostError('evil.example', 'not allowed')],
  ])('gives up with OperationNotFound on %s', async (_name, error) => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);
    rig.marketplace.fail('getOperationByLocation', error);

    // Act
    const outcome = await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect(outcome).toBe('failed');
    expect((await row(rig, message))?.lastError?.code).toBe('OperationNotFound');
  });

  it('lets other failures propagate so the queue retries, leaving the row as it was', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);
    rig.marketplace.fail('getOperationByLocation', new MarketplaceApiError({ kind: 'http', operation: 'getOperationByLocation', status: 503 }));

    // Act
    const error = await trackPublisherOperation(rig.trackDeps, message).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(MarketplaceApiError);
    expect((await row(rig, message))?.state).toBe('Queued');
  });

  it('does nothing for a request that is already final (a repeated message)', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);
    rig.marketplace.finish(message.operationId, 'Succeeded');
    await trackPublisherOperation(rig.trackDeps, message);
    const polls = rig.marketplace.callsOf('getOperationByLocation').length;

    // Act
    const outcome = await trackPublisherOperation(rig.trackDeps, message);

    // Assess
    expect(outcome).toBe('alreadyDone');
    expect(rig.marketplace.callsOf('getOperationByLocation')).toHaveLength(polls);
  });

  it('drops a message whose request row does not exist, with a warning', async () => {
    // Prepare
    const rig = fulfillmentRig();
    const message = await accepted(rig);

    // Act
    const outcome = await trackPublisherOperation(rig.trackDeps, { ...message, requestId: 'no-such-request' });

    // Assess
    expect(outcome).toBe('unknown');
    expect(rig.logs).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'warn', message: expect.stringContaining('without its request row') })]));
  });
});
