import { ACTIVATION_FAILED, ACTIVATION_REQUESTED } from '../../../shared/activation';
import { ValidationError } from '../../../shared/errors';
import { openLandingPage } from '../../../shared/landing';
import { buildMarketplaceSubscription, FakeMarketplace, marketplaceError, PURCHASE_TOKEN, SUBSCRIPTION_ID } from './support/fakeMarketplace';
import { landingRig, NOW } from './support/landingRig';

describe('openLandingPage', () => {
  it('records a new purchase and queues its activation once, with the purchased plan and seats', async () => {
    // Prepare
    const { deps, subscriptions, activations, history } = landingRig();

    // Act
    const outcome = await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });

    // Assess
    expect(outcome).toMatchObject({ kind: 'subscription', state: 'pending', plan: { planId: 'team', displayName: 'Team' } });
    expect((await subscriptions.get(SUBSCRIPTION_ID))?.value.status).toBe('PendingFulfillmentStart');
    expect(activations.messages()).toEqual([{ subscriptionId: SUBSCRIPTION_ID, planId: 'team', quantity: 5, requestId: 'request-1', requestedAt: NOW }]);
    expect((await history.list(SUBSCRIPTION_ID)).items).toEqual([
      expect.objectContaining({ kind: ACTIVATION_REQUESTED, operationId: 'request-1', at: NOW }),
    ]);
  });

  it('resolves the token exactly as it was given (already decoded once)', async () => {
    // Prepare
    const { deps, marketplace } = landingRig();

    // Act
    await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });

    // Assess
    expect(marketplace.callsOf('resolve')).toEqual([[PURCHASE_TOKEN]]);
  });

  it('does not queue a second activation while the first is under way (the page refreshes itself)', async () => {
    // Prepare
    const { deps, activations, clock } = landingRig();
    await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });
    clock.advance(5_000);

    // Act
    const again = await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });

    // Assess
    expect(again).toMatchObject({ state: 'pending' });
    expect(activations.messages()).toHaveLength(1);
  });

  it('queues the activation again when the earlier request is long overdue, so no purchase is lost', async () => {
    // Prepare
    const { deps, activations, clock } = landingRig();
    await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });
    clock.advance(16 * 60 * 1000);

    // Act
    await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });

    // Assess
    expect(activations.messages().map((m) => m.requestId)).toEqual(['request-1', 'request-2']);
  });

  it('asks the buyer to confirm in confirm mode and queues nothing yet', async () => {
    // Prepare
    const { deps, activations } = landingRig({ settings: { activationMode: 'confirm' } });

    // Act
    const outcome = await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'confirm' });

    // Assess
    expect(outcome).toMatchObject({ kind: 'subscription', state: 'confirm' });
    expect(activations.messages()).toEqual([]);
  });

  it('shows the failure once the last activation attempt failed, and queues nothing', async () => {
    // Prepare
    const { deps, activations, subscriptions, clock } = landingRig();
    await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });
    await subscriptions.updateWithRetry(SUBSCRIPTION_ID, (r) => ({ ...r, lastError: { code: ACTIVATION_FAILED, message: 'Attempt 5 of 5', at: NOW } }));
    clock.advance(60 * 60 * 1000);

    // Act
    const outcome = await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });

    // Assess
    expect(outcome).toMatchObject({ state: 'failed' });
    expect(activations.messages()).toHaveLength(1);
  });

  it('shows the account view on a later visit of an active subscription', async () => {
    // Prepare
    const marketplace = new FakeMarketplace(buildMarketplaceSubscription({ saasSubscriptionStatus: 'Subscribed' }));
    const { deps, subscriptions, activations } = landingRig({ marketplace });
    await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });
    await subscriptions.updateWithRetry(SUBSCRIPTION_ID, (r) => ({ ...r, status: 'Subscribed' }));
    marketplace.tokens.set('a-new-token-for-manage-account', SUBSCRIPTION_ID);

    // Act
    const manage = await openLandingPage(deps, { purchaseToken: 'a-new-token-for-manage-account', mode: 'automatic' });

    // Assess
    expect(manage).toMatchObject({ kind: 'subscription', state: 'active', record: { status: 'Subscribed' } });
    expect(activations.messages()).toHaveLength(1);
    expect((await subscriptions.list()).items).toHaveLength(1);
  });

  it.each([
    ['400 (invalid or expired)', marketplaceError('resolve', 400), 'invalidToken'],
    ['404', marketplaceError('resolve', 404), 'invalidToken'],
    ['a malformed token refused before sending', new ValidationError('The purchase token is missing or malformed', ['token']), 'invalidToken'],
    ['403', marketplaceError('resolve', 403), 'invalidToken'],
    ['413 (too large)', marketplaceError('resolve', 413), 'invalidToken'],
    ['431 (a junk token too long for a header)', marketplaceError('resolve', 431), 'invalidToken'],
    ['429 (throttled)', marketplaceError('resolve', 429), 'unavailable'],
    ['500', marketplaceError('resolve', 500), 'unavailable'],
    ['a timeout', marketplaceError('resolve', undefined, 'timeout'), 'unavailable'],
    ['a network failure', marketplaceError('resolve', undefined, 'network'), 'unavailable'],
  ])('answers %s from Resolve with %s, storing and queueing nothing', async (_case, error, kind) => {
    // Prepare
    const { deps, marketplace, subscriptions, activations } = landingRig();
    marketplace.fail('resolve', error);

    // Act
    const outcome = await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });

    // Assess
    expect(outcome.kind).toBe(kind);
    expect((await subscriptions.list()).items).toEqual([]);
    expect(activations.messages()).toEqual([]);
  });

  it('still serves the page when the plan list fails', async () => {
    // Prepare
    const { deps, marketplace, activations } = landingRig();
    marketplace.fail('listAvailablePlans', marketplaceError('listAvailablePlans', 500));

    // Act
    const outcome = await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });

    // Assess
    expect(outcome).toMatchObject({ kind: 'subscription', state: 'pending' });
    expect(outcome.kind === 'subscription' && outcome.plan).toBeUndefined();
    expect(activations.messages()).toHaveLength(1);
  });

  it('never logs the purchase token or the buyer e-mail address', async () => {
    // Prepare
    const { deps, marketplace, logs } = landingRig();
    marketplace.fail('listAvailablePlans', marketplaceError('listAvailablePlans', 500));

    // Act
    await openLandingPage(deps, { purchaseToken: PURCHASE_TOKEN, mode: 'automatic' });

    // Assess
    expect(logs.entries.length).toBeGreaterThan(0);
    expect(logs.text()).not.toContain(PURCHASE_TOKEN);
    expect(logs.text()).not.toContain('@fabrikam.example');
  });
});
