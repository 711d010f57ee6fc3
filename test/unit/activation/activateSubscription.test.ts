import { ACTIVATION_ATTEMPT_FAILED, ACTIVATION_FAILED, activateSubscription, type ActivationMessage } from '../../../shared/activation';
import { fixedClock } from '../../../shared/clock';
import { recordFromMarketplace } from '../../../shared/subscription/fromMarketplace';
import { createInMemoryTableStores } from '../../fakes/inMemoryTableStores';
import { buildMarketplaceSubscription, FakeMarketplace, marketplaceError, SUBSCRIPTION_ID } from '../landing/support/fakeMarketplace';
import { captureLogs, recordingIsv } from '../landing/support/landingRig';

const NOW = '2026-03-01T10:00:05.000Z';
const MESSAGE: ActivationMessage = { subscriptionId: SUBSCRIPTION_ID, planId: 'team', quantity: 5, requestId: 'request-1', requestedAt: '2026-03-01T10:00:00.000Z' };
const FIRST = { attempt: 1, maxAttempts: 5 };
const LAST = { attempt: 5, maxAttempts: 5 };

async function activationRig(options: { marketplace?: FakeMarketplace; stored?: boolean } = {}) {
  const stores = createInMemoryTableStores();
  const marketplace = options.marketplace ?? new FakeMarketplace();
  const isv = recordingIsv();
  const logs = captureLogs();
  if (options.stored !== false) {
    const purchase = marketplace.subscriptions.get(SUBSCRIPTION_ID) ?? buildMarketplaceSubscription();
    await stores.subscriptions.create({ ...recordFromMarketplace(purchase, '2026-03-01T10:00:00.000Z'), status: 'PendingFulfillmentStart' });
  }
  const deps = { ...stores, marketplace, isv: isv.hooks, clock: fixedClock(NOW), logger: logs.logger };
  const stored = async () => (await stores.subscriptions.get(SUBSCRIPTION_ID))?.value;
  return { ...stores, marketplace, isv, logs, deps, stored };
}

describe('activateSubscription', () => {
  it('provisions, activates the purchased plan and seats, then marks the record Subscribed with history', async () => {
    // Prepare
    const { deps, marketplace, isv, history, stored } = await activationRig();

    // Act
    const outcome = await activateSubscription(deps, MESSAGE, FIRST);

    // Assess
    expect(outcome).toEqual({ outcome: 'activated' });
    expect(marketplace.callsOf('activate')).toEqual([[SUBSCRIPTION_ID, { planId: 'team', quantity: 5 }]]);
    expect(marketplace.status(SUBSCRIPTION_ID)).toBe('Subscribed');
    expect((await stored())?.status).toBe('Subscribed');
    expect((await stored())?.term).toMatchObject({ startDate: expect.any(String), endDate: expect.any(String) });
    expect((await history.list(SUBSCRIPTION_ID)).items).toEqual([
      expect.objectContaining({ kind: 'StatusChanged', from: 'PendingFulfillmentStart', to: 'Subscribed', operationId: 'request-1', at: NOW }),
    ]);
    expect(isv.provisioned).toEqual([
      expect.objectContaining({ type: 'saas.subscription.provision', id: `${SUBSCRIPTION_ID}:provision`, subject: SUBSCRIPTION_ID }),
    ]);
    expect(isv.notified).toEqual([expect.objectContaining({ type: 'saas.subscription.activated', id: `${SUBSCRIPTION_ID}:activated` })]);
  });

  it('provisions before it activates, so billing never starts for a tenant that does not exist', async () => {
    // Prepare
    const { deps, marketplace, isv } = await activationRig();
    isv.failProvision(new Error('ISV endpoint answered 503'));

    // Act
    const attempt = activateSubscription(deps, MESSAGE, FIRST);

    // Assess
    await expect(attempt).rejects.toThrow('ISV endpoint answered 503');
    expect(marketplace.callsOf('activate')).toEqual([]);
  });

  it('only marks the record when the marketplace already has the subscription active (a retry or duplicate)', async () => {
    // Prepare
    const marketplace = new FakeMarketplace(buildMarketplaceSubscription({ saasSubscriptionStatus: 'Subscribed' }));
    const { deps, isv, stored, history } = await activationRig({ marketplace });

    // Act
    const outcome = await activateSubscription(deps, MESSAGE, FIRST);

    // Assess
    expect(outcome).toEqual({ outcome: 'alreadyActive' });
    expect(marketplace.callsOf('activate')).toEqual([]);
    expect(isv.provisioned).toEqual([]);
    expect((await stored())?.status).toBe('Subscribed');
    expect((await history.list(SUBSCRIPTION_ID)).items).toHaveLength(1);
  });

  it('never activates twice: the same message delivered again changes nothing more', async () => {
    // Prepare
    const { deps, marketplace, isv, history } = await activationRig();
    await activateSubscription(deps, MESSAGE, FIRST);

    // Act
    const again = await activateSubscription(deps, MESSAGE, { attempt: 2, maxAttempts: 5 });

    // Assess
    expect(again).toEqual({ outcome: 'alreadyActive' });
    expect(marketplace.callsOf('activate')).toHaveLength(1);
    expect(isv.notified).toHaveLength(1);
    expect((await history.list(SUBSCRIPTION_ID)).items).toHaveLength(1);
  });

  it('treats a 400 from Activate as done when a second read shows the subscription Subscribed (a lost response)', async () => {
    // Prepare
    const { deps, marketplace, stored } = await activationRig();
    marketplace.fail('activate', marketplaceError('activate', 400));
    const realGet = marketplace.getSubscription.bind(marketplace);
    let reads = 0;
    marketplace.getSubscription = async (id) => {
      reads += 1;
      if (reads === 2) marketplace.subscriptions.get(id)!.saasSubscriptionStatus = 'Subscribed';
      return realGet(id);
    };

    // Act
    const outcome = await activateSubscription(deps, MESSAGE, FIRST);

    // Assess
    expect(outcome).toEqual({ outcome: 'activated' });
    expect((await stored())?.status).toBe('Subscribed');
  });

  it('fails the attempt on a 400 from Activate when the subscription is still pending', async () => {
    // Prepare
    const { deps, marketplace, stored } = await activationRig();
    marketplace.fail('activate', marketplaceError('activate', 400));

    // Act
    const attempt = activateSubscription(deps, MESSAGE, FIRST);

    // Assess
    await expect(attempt).rejects.toThrow('HTTP 400');
    expect(marketplace.callsOf('getSubscription')).toHaveLength(2);
    expect((await stored())?.status).toBe('PendingFulfillmentStart');
  });

  it('records the error and rethrows, so the queue retries, when an attempt fails', async () => {
    // Prepare
    const { deps, marketplace, stored } = await activationRig();
    marketplace.fail('activate', marketplaceError('activate', 500));

    // Act
    const attempt = activateSubscription(deps, MESSAGE, { attempt: 2, maxAttempts: 5 });

    // Assess
    await expect(attempt).rejects.toThrow('Marketplace activate failed (HTTP 500)');
    const record = await stored();
    expect(record?.status).toBe('PendingFulfillmentStart');
    expect(record?.lastError).toEqual({ code: ACTIVATION_ATTEMPT_FAILED, message: 'Attempt 2 of 5: Marketplace activate failed (HTTP 500)', at: NOW });
  });

  it('marks the activation as failed on the last attempt, for the page and the admin', async () => {
    // Prepare
    const { deps, marketplace, stored, logs } = await activationRig();
    marketplace.fail('activate', marketplaceError('activate', 500));

    // Act
    const attempt = activateSubscription(deps, MESSAGE, LAST);

    // Assess
    await expect(attempt).rejects.toThrow();
    expect((await stored())?.lastError?.code).toBe(ACTIVATION_FAILED);
    expect(logs.entries).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('poison') }));
  });

  it('clears the recorded error once a later attempt succeeds', async () => {
    // Prepare
    const { deps, marketplace, stored } = await activationRig();
    marketplace.fail('activate', marketplaceError('activate', 500), marketplaceError('activate', 500), marketplaceError('activate', 500));
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await activateSubscription(deps, MESSAGE, { attempt, maxAttempts: 5 }).catch(() => undefined);
    }

    // Act
    const outcome = await activateSubscription(deps, MESSAGE, { attempt: 4, maxAttempts: 5 });

    // Assess
    expect(outcome).toEqual({ outcome: 'activated' });
    const record = await stored();
    expect(record?.status).toBe('Subscribed');
    expect(record?.lastError).toBeUndefined();
    expect(marketplace.callsOf('activate')).toHaveLength(4);
  });

  it('keeps personal data out of the recorded error', async () => {
    // Prepare
    const { deps, isv, stored } = await activationRig();
    isv.failProvision(new Error('tenant for buyer@fabrikam.example could not be created'));

    // Act
    await activateSubscription(deps, MESSAGE, FIRST).catch(() => undefined);

    // Assess
    expect((await stored())?.lastError?.message).toBe('Attempt 1 of 5: Error: tenant for [email] could not be created');
  });

  it('records a purchase cancelled before activation as Unsubscribed and stops', async () => {
    // Prepare
    const marketplace = new FakeMarketplace(buildMarketplaceSubscription({ saasSubscriptionStatus: 'Unsubscribed' }));
    const { deps, stored, isv } = await activationRig({ marketplace });

    // Act
    const outcome = await activateSubscription(deps, MESSAGE, FIRST);

    // Assess
    expect(outcome).toEqual({ outcome: 'notActivatable', status: 'Unsubscribed' });
    expect((await stored())?.status).toBe('Unsubscribed');
    expect(isv.provisioned).toEqual([]);
  });

  it('creates the record from the marketplace when the message arrives before any landing visit', async () => {
    // Prepare
    const { deps, stored } = await activationRig({ stored: false });

    // Act
    const outcome = await activateSubscription(deps, MESSAGE, FIRST);

    // Assess
    expect(outcome).toEqual({ outcome: 'activated' });
    expect(await stored()).toMatchObject({ status: 'Subscribed', planId: 'team', quantity: 5 });
  });

  it('activates the plan and seats Microsoft has on record even if the message says otherwise', async () => {
    // Prepare
    const { deps, marketplace } = await activationRig();

    // Act
    await activateSubscription(deps, { ...MESSAGE, planId: 'business', quantity: 50 }, FIRST);

    // Assess
    expect(marketplace.callsOf('activate')).toEqual([[SUBSCRIPTION_ID, { planId: 'team', quantity: 5 }]]);
  });
});
