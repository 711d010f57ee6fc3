import { InvocationContext } from '@azure/functions';
import { createActivateSubscriptionHandler } from '../../../functions/activateSubscription';
import { ACTIVATION_FAILED } from '../../../shared/activation';
import { ValidationError } from '../../../shared/errors';
import { recordFromMarketplace } from '../../../shared/subscription/fromMarketplace';
import { fakeAppDependencies } from '../landing/support/appDependencies';
import { buildMarketplaceSubscription, marketplaceError, SUBSCRIPTION_ID } from '../landing/support/fakeMarketplace';

const MESSAGE = { subscriptionId: SUBSCRIPTION_ID, planId: 'team', quantity: 5, requestId: 'request-1', requestedAt: '2026-03-01T10:00:00.000Z' };

function context(dequeueCount: number): InvocationContext {
  return new InvocationContext({ invocationId: 'inv-1', functionName: 'activateSubscription', triggerMetadata: { dequeueCount }, logHandler: () => undefined });
}

async function setup() {
  const app = fakeAppDependencies();
  await app.stores.subscriptions.create({ ...recordFromMarketplace(buildMarketplaceSubscription(), '2026-03-01T10:00:00.000Z'), status: 'PendingFulfillmentStart' });
  return { ...app, handler: createActivateSubscriptionHandler(() => app.deps) };
}

describe('the activateSubscription function', () => {
  it('activates the subscription named in the queue message', async () => {
    // Prepare
    const { handler, stores, marketplace } = await setup();

    // Act
    await handler(MESSAGE, context(1));

    // Assess
    expect(marketplace.status(SUBSCRIPTION_ID)).toBe('Subscribed');
    expect((await stores.subscriptions.get(SUBSCRIPTION_ID))?.value.status).toBe('Subscribed');
  });

  it('rethrows a failure and, on delivery 5 of 5, marks the activation as failed', async () => {
    // Prepare
    const { handler, stores, marketplace } = await setup();
    marketplace.fail('activate', marketplaceError('activate', 500));

    // Act
    const run = handler(MESSAGE, context(5));

    // Assess
    await expect(run).rejects.toThrow('HTTP 500');
    expect((await stores.subscriptions.get(SUBSCRIPTION_ID))?.value.lastError?.code).toBe(ACTIVATION_FAILED);
  });

  it('throws a ValidationError for a message that is not an activation', async () => {
    // Prepare
    const { handler, marketplace } = await setup();

    // Act
    const run = handler({ hello: 'world' }, context(1));

    // Assess
    await expect(run).rejects.toThrow(ValidationError);
    expect(marketplace.calls).toEqual([]);
  });
});
