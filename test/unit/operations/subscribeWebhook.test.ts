import { activateSubscription } from '../../../shared/activation/activateSubscription';
import { processOperation } from '../../../shared/operations/processOperation';
import { marketplaceOperation, marketplaceSubscription, OPERATION_ID, operationsRig, SUBSCRIPTION_ID } from './operationsRig';

const FIRST = { dequeueCount: 1 };
type Rig = ReturnType<typeof operationsRig>;

/** Microsoft has the purchase Subscribed; `operation` says whether Get Operation knows the Subscribe operation. */
function subscribedAtMicrosoft(rig: Rig, operation: boolean): void {
  rig.marketplace.subscriptions.set(SUBSCRIPTION_ID, marketplaceSubscription({ saasSubscriptionStatus: 'Subscribed', planId: 'basic' }));
  if (operation) rig.marketplace.operations.set(OPERATION_ID, marketplaceOperation({ action: 'Subscribe', status: 'Succeeded' }));
}

describe('the Subscribe webhook', () => {
  it.each([
    ['Get Operation knows it', true],
    ['only Get Subscription knows it', false],
  ])('imports a subscription the buyer never opened, provisions it once and tells the ISV it is active (%s)', async (_case, withOperation) => {
    // Prepare
    const rig = operationsRig();
    subscribedAtMicrosoft(rig, withOperation);
    const message = await rig.received('Subscribe');

    // Act
    const result = await processOperation(rig.deps, message, FIRST);
    const again = await processOperation(rig.deps, await rig.received('Subscribe', 'op-repeat'), FIRST);

    // Assess
    expect(result.outcome).toBe('completed');
    expect(again.outcome).toBe('completed');
    expect(await rig.local()).toMatchObject({ status: 'Subscribed', planId: 'basic' });
    expect(rig.isv.provisioned).toEqual([expect.objectContaining({ type: 'saas.subscription.provision', id: `${SUBSCRIPTION_ID}:provision`, subject: SUBSCRIPTION_ID })]);
    expect(rig.isv.provisioned[0]?.data.subscription.status).toBe('PendingFulfillmentStart');
    expect(rig.isv.notified.map((e) => [e.type, e.id])).toEqual([['saas.subscription.activated', `${SUBSCRIPTION_ID}:activated`]]);
    expect(await rig.historyKinds()).toEqual(['ImportedFromMarketplace', 'StatusChanged']);
  });

  it('does not provision again a purchase the landing page activated: it converges the record and the ISV hears activated once', async () => {
    // Prepare: the landing page stored the purchase; its activation provisioned and called Activate,
    // then Microsoft sends Subscribe before the activation marked the record
    const rig = operationsRig();
    await rig.known({ saasSubscriptionStatus: 'PendingFulfillmentStart', planId: 'basic' });
    subscribedAtMicrosoft(rig, true);
    const message = await rig.received('Subscribe');
    const activationDeps = { marketplace: { ...rig.marketplace, getSubscription: rig.marketplace.getSubscription.bind(rig.marketplace), activate: () => Promise.resolve() }, subscriptions: rig.subscriptions, history: rig.history, operations: rig.operations, isv: rig.isv, clock: rig.deps.clock, logger: rig.deps.logger };

    // Act
    await processOperation(rig.deps, message, FIRST);
    const activation = await activateSubscription(activationDeps, { subscriptionId: SUBSCRIPTION_ID, requestId: 'request-1', planId: 'basic' } as never, { attempt: 1, maxAttempts: 5 });

    // Assess
    expect(activation.outcome).toBe('alreadyActive');
    expect(rig.isv.provisioned).toEqual([]);
    expect(rig.isv.notified.map((e) => [e.type, e.id])).toEqual([['saas.subscription.activated', `${SUBSCRIPTION_ID}:activated`]]);
    expect((await rig.local())?.status).toBe('Subscribed');
  });

  it('retries after a failed provisioning with the same provision id, and stores nothing until it succeeds', async () => {
    // Prepare
    const rig = operationsRig();
    subscribedAtMicrosoft(rig, false);
    rig.isv.provisionFailures = 1;
    const message = await rig.received('Subscribe');

    // Act
    const failed = await processOperation(rig.deps, message, FIRST).catch((error: unknown) => error);
    const storedAfterFailure = await rig.local();
    const retried = await processOperation(rig.deps, message, { dequeueCount: 2 });

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect(storedAfterFailure).toBeUndefined();
    expect(retried.outcome).toBe('completed');
    expect(rig.isv.provisioned.map((e) => e.id)).toEqual([`${SUBSCRIPTION_ID}:provision`]);
    expect((await rig.local())?.status).toBe('Subscribed');
  });

  it('imports a subscription already cancelled at Microsoft without provisioning it', async () => {
    // Prepare
    const rig = operationsRig();
    rig.marketplace.subscriptions.set(SUBSCRIPTION_ID, marketplaceSubscription({ saasSubscriptionStatus: 'Unsubscribed' }));
    const message = await rig.received('Subscribe');

    // Act
    const result = await processOperation(rig.deps, message, FIRST);

    // Assess
    expect(result.outcome).toBe('completed');
    expect(rig.isv.provisioned).toEqual([]);
    expect((await rig.local())?.status).toBe('Unsubscribed');
  });
});
