import { confirmActivation, createFormToken, openLandingPage } from '../../../shared/landing';
import { OTHER_SUBSCRIPTION_ID, PURCHASE_TOKEN, SUBSCRIPTION_ID } from './support/fakeMarketplace';
import { FORM_SECRET, landingRig } from './support/landingRig';

async function confirmRig() {
  const rig = landingRig({ settings: { activationMode: 'confirm' } });
  await openLandingPage(rig.deps, { purchaseToken: PURCHASE_TOKEN, mode: 'confirm' });
  const formToken = (subscriptionId = SUBSCRIPTION_ID): string =>
    createFormToken({ subscriptionId, secret: FORM_SECRET, now: rig.clock.now(), ttlSeconds: 900 });
  return { ...rig, formToken };
}

describe('confirmActivation', () => {
  it('queues the activation when the form token was issued for this subscription', async () => {
    // Prepare
    const { deps, activations, formToken } = await confirmRig();

    // Act
    const outcome = await confirmActivation(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(), secret: FORM_SECRET });

    // Assess
    expect(outcome).toEqual({ kind: 'queued' });
    expect(activations.messages()).toEqual([expect.objectContaining({ subscriptionId: SUBSCRIPTION_ID, planId: 'team', quantity: 5 })]);
  });

  it('refuses a form token issued for another subscription and queues nothing', async () => {
    // Prepare
    const { deps, activations, formToken } = await confirmRig();

    // Act
    const outcome = await confirmActivation(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(OTHER_SUBSCRIPTION_ID), secret: FORM_SECRET });

    // Assess
    expect(outcome).toEqual({ kind: 'rejected', reason: 'badSignature' });
    expect(activations.messages()).toEqual([]);
  });

  it('refuses an expired form token and queues nothing', async () => {
    // Prepare
    const { deps, activations, formToken, clock } = await confirmRig();
    const token = formToken();
    clock.advance(901_000);

    // Act
    const outcome = await confirmActivation(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: token, secret: FORM_SECRET });

    // Assess
    expect(outcome).toEqual({ kind: 'rejected', reason: 'expired' });
    expect(activations.messages()).toEqual([]);
  });

  it('queues once when the buyer clicks twice', async () => {
    // Prepare
    const { deps, activations, formToken } = await confirmRig();
    await confirmActivation(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(), secret: FORM_SECRET });

    // Act
    const second = await confirmActivation(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(), secret: FORM_SECRET });

    // Assess
    expect(second).toEqual({ kind: 'alreadyQueued' });
    expect(activations.messages()).toHaveLength(1);
  });

  it('does nothing for a subscription that is no longer pending', async () => {
    // Prepare
    const { deps, activations, formToken, subscriptions } = await confirmRig();
    await subscriptions.updateWithRetry(SUBSCRIPTION_ID, (r) => ({ ...r, status: 'Subscribed' }));

    // Act
    const outcome = await confirmActivation(deps, { subscriptionId: SUBSCRIPTION_ID, formToken: formToken(), secret: FORM_SECRET });

    // Assess
    expect(outcome).toEqual({ kind: 'notPending', status: 'Subscribed' });
    expect(activations.messages()).toEqual([]);
  });

  it('reports a subscription it has no record of', async () => {
    // Prepare
    const { deps, formToken } = await confirmRig();

    // Act
    const outcome = await confirmActivation(deps, { subscriptionId: OTHER_SUBSCRIPTION_ID, formToken: formToken(OTHER_SUBSCRIPTION_ID), secret: FORM_SECRET });

    // Assess
    expect(outcome).toEqual({ kind: 'notFound' });
  });
});
