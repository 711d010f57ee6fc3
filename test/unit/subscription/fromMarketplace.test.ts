import type { MarketplaceSubscription } from '../../../shared/marketplace';
import { marketplaceFieldsDiffer, recordFromMarketplace } from '../../../shared/subscription/fromMarketplace';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';

const NOW = '2026-05-01T00:00:00.000Z';

function marketplaceSubscription(overrides: Partial<MarketplaceSubscription> = {}): MarketplaceSubscription {
  return {
    id: 'c0ffee00-0000-4000-8000-000000000001',
    publisherId: 'contoso',
    offerId: 'contoso-analytics',
    name: 'Analytics for Fabrikam',
    saasSubscriptionStatus: 'PendingFulfillmentStart',
    planId: 'starter',
    term: { termUnit: 'P1M' },
    autoRenew: true,
    isTest: false,
    allowedCustomerOperations: ['Read', 'Update', 'Delete'],
    sandboxType: 'None',
    sessionMode: 'None',
    purchaser: { emailId: 'buyer@fabrikam.example', objectId: 'o', tenantId: 't', puid: null },
    beneficiary: { emailId: 'user@fabrikam.example', objectId: 'o2', tenantId: 't', puid: null },
    ...overrides,
  };
}

describe('recordFromMarketplace', () => {
  it('maps a new flat-rate purchase without quantity or term dates', () => {
    // Act
    const record = recordFromMarketplace(marketplaceSubscription(), NOW);

    // Assess
    expect(record).toMatchObject({
      id: 'c0ffee00-0000-4000-8000-000000000001',
      status: 'PendingFulfillmentStart',
      planId: 'starter',
      term: { termUnit: 'P1M' },
      isFreeTrial: false,
      createdAt: NOW,
      updatedAt: NOW,
      beneficiary: { emailId: 'user@fabrikam.example' },
    });
    expect('quantity' in record).toBe(false);
  });

  it('keeps our bookkeeping and the known status when Microsoft sends a status we do not know', () => {
    // Prepare
    const existing = buildSubscriptionRecord({ status: 'Subscribed', createdAt: '2025-01-01T00:00:00.000Z', lastError: { code: 'X', message: 'm', at: NOW } });

    // Act
    const record = recordFromMarketplace(marketplaceSubscription({ id: existing.id, saasSubscriptionStatus: 'NotStarted', quantity: 12 }), NOW, existing);

    // Assess
    expect(record).toMatchObject({ status: 'Subscribed', createdAt: '2025-01-01T00:00:00.000Z', quantity: 12, lastError: { code: 'X' } });
  });

  it('drops a quantity that Microsoft no longer reports', () => {
    // Prepare
    const existing = buildSubscriptionRecord({ quantity: 5 });

    // Act
    const record = recordFromMarketplace(marketplaceSubscription({ id: existing.id }), NOW, existing);

    // Assess
    expect(record.quantity).toBeUndefined();
  });
});

describe('marketplaceFieldsDiffer', () => {
  it('names the fields Microsoft owns that differ and ignores our timestamps', () => {
    // Prepare
    const a = buildSubscriptionRecord();
    const b = { ...a, planId: 'gold', term: { ...a.term, endDate: '2026-01-01T00:00:00Z' }, updatedAt: NOW };

    // Act / Assess
    expect(marketplaceFieldsDiffer(a, b)).toEqual(['planId', 'term']);
    expect(marketplaceFieldsDiffer(a, { ...a, updatedAt: NOW })).toEqual([]);
  });
});
