import { refreshRecord, saveSubscription } from '../../../shared/landing/saveSubscription';
import { createInMemoryTableStores } from '../../fakes/inMemoryTableStores';
import { buildMarketplaceSubscription, SUBSCRIPTION_ID } from './support/fakeMarketplace';

const FIRST_VISIT = '2026-03-01T10:00:00.000Z';
const SECOND_VISIT = '2026-03-02T09:00:00.000Z';

describe('saveSubscription', () => {
  it('records a new purchase as PendingFulfillmentStart with what Resolve returned', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();
    const purchase = buildMarketplaceSubscription({ isTest: true, isFreeTrial: true, sandboxType: 'Csp', sessionMode: 'DryRun', autoRenew: false });

    // Act
    await saveSubscription(subscriptions, purchase, FIRST_VISIT);

    // Assess
    expect((await subscriptions.get(SUBSCRIPTION_ID))?.value).toEqual({
      id: SUBSCRIPTION_ID,
      name: 'Fabrikam workspace',
      publisherId: 'contoso',
      offerId: 'contoso-seats',
      planId: 'team',
      quantity: 5,
      status: 'PendingFulfillmentStart',
      term: { termUnit: 'P1M' },
      autoRenew: false,
      isTest: true,
      isFreeTrial: true,
      sandboxType: 'Csp',
      sessionMode: 'DryRun',
      allowedCustomerOperations: ['Read', 'Update', 'Delete'],
      purchaser: { emailId: 'buyer@fabrikam.example', objectId: 'p-1', tenantId: 't-1', puid: '1003' },
      beneficiary: { emailId: 'user@fabrikam.example', objectId: 'b-1', tenantId: 't-1', puid: null },
      createdAt: FIRST_VISIT,
      updatedAt: FIRST_VISIT,
    });
  });

  it('refreshes the same record on a second visit instead of adding another', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();
    await saveSubscription(subscriptions, buildMarketplaceSubscription(), FIRST_VISIT);

    // Act
    await saveSubscription(subscriptions, buildMarketplaceSubscription({ name: 'Renamed workspace' }), SECOND_VISIT);

    // Assess
    const { items } = await subscriptions.list();
    expect(items).toHaveLength(1);
    expect(items[0]?.value).toMatchObject({ name: 'Renamed workspace', createdAt: FIRST_VISIT, updatedAt: SECOND_VISIT });
  });

  it('never moves an active record back to pending because of a stale Resolve', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();
    await saveSubscription(subscriptions, buildMarketplaceSubscription(), FIRST_VISIT);
    await subscriptions.updateWithRetry(SUBSCRIPTION_ID, (r) => ({ ...r, status: 'Subscribed' }));

    // Act
    await saveSubscription(subscriptions, buildMarketplaceSubscription({ saasSubscriptionStatus: 'PendingFulfillmentStart' }), SECOND_VISIT);

    // Assess
    expect((await subscriptions.get(SUBSCRIPTION_ID))?.value.status).toBe('Subscribed');
  });

  it('leaves plan, seats and term of an active record to the lifecycle events that own them', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();
    const term = { termUnit: 'P1M', startDate: '2026-03-01T00:00:00Z', endDate: '2026-03-31T00:00:00Z' };
    await saveSubscription(subscriptions, buildMarketplaceSubscription(), FIRST_VISIT);
    await subscriptions.updateWithRetry(SUBSCRIPTION_ID, (r) => ({ ...r, status: 'Subscribed', term }));
    const changed = buildMarketplaceSubscription({ saasSubscriptionStatus: 'Subscribed', planId: 'business', quantity: 20, term: { termUnit: 'P1Y', startDate: '2026-04-01T00:00:00Z' } });

    // Act
    await saveSubscription(subscriptions, changed, SECOND_VISIT);

    // Assess
    expect((await subscriptions.get(SUBSCRIPTION_ID))?.value).toMatchObject({ planId: 'team', quantity: 5, term });
  });

  it('fills in the term dates of an active record that has none yet', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();
    await saveSubscription(subscriptions, buildMarketplaceSubscription(), FIRST_VISIT);
    await subscriptions.updateWithRetry(SUBSCRIPTION_ID, (r) => ({ ...r, status: 'Subscribed' }));
    const term = { termUnit: 'P1M', startDate: '2026-03-01T00:00:00Z', endDate: '2026-03-31T00:00:00Z' };

    // Act
    await saveSubscription(subscriptions, buildMarketplaceSubscription({ saasSubscriptionStatus: 'Subscribed', term }), SECOND_VISIT);

    // Assess
    expect((await subscriptions.get(SUBSCRIPTION_ID))?.value.term).toEqual(term);
  });

  it('writes nothing when a visit brings nothing new', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();
    const first = await saveSubscription(subscriptions, buildMarketplaceSubscription(), FIRST_VISIT);

    // Act
    const second = await saveSubscription(subscriptions, buildMarketplaceSubscription(), SECOND_VISIT);

    // Assess
    expect(second.etag).toBe(first.etag);
    expect(second.value.updatedAt).toBe(FIRST_VISIT);
  });

  it('starts a subscription Microsoft already reports active as pending, so that the activation records the change', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();

    // Act
    const saved = await saveSubscription(subscriptions, buildMarketplaceSubscription({ saasSubscriptionStatus: 'Subscribed' }), FIRST_VISIT);

    // Assess
    expect(saved.value.status).toBe('PendingFulfillmentStart');
  });

  it('records a subscription first seen cancelled as cancelled', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();

    // Act
    const saved = await saveSubscription(subscriptions, buildMarketplaceSubscription({ saasSubscriptionStatus: 'Unsubscribed' }), FIRST_VISIT);

    // Assess
    expect(saved.value.status).toBe('Unsubscribed');
  });
});

describe('refreshRecord', () => {
  it('keeps our own bookkeeping (lastError, createdAt) while refreshing Microsoft fields', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();
    const saved = await saveSubscription(subscriptions, buildMarketplaceSubscription(), FIRST_VISIT);
    const existing = { ...saved.value, lastError: { code: 'ActivationAttemptFailed', message: 'Attempt 1 of 5', at: FIRST_VISIT } };

    // Act
    const next = refreshRecord(existing, buildMarketplaceSubscription({ autoRenew: false }), SECOND_VISIT);

    // Assess
    expect(next).toMatchObject({ autoRenew: false, lastError: existing.lastError, createdAt: FIRST_VISIT, updatedAt: SECOND_VISIT });
  });
});
