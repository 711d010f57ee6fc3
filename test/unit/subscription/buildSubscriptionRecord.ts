import type { SubscriptionRecord } from '../../../shared/subscription/model';

/** A Subscribed per-seat subscription; override any field. */
export function buildSubscriptionRecord(overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: '5a8b2a8e-9d7c-4a3e-8f2b-0c1d2e3f4a5b',
    name: 'Contoso seats',
    publisherId: 'contoso',
    offerId: 'contoso-saas',
    planId: 'basic',
    quantity: 10,
    status: 'Subscribed',
    term: { termUnit: 'P1M', startDate: '2025-01-01T00:00:00Z', endDate: '2025-01-31T00:00:00Z', chargeDuration: null },
    autoRenew: true,
    isTest: false,
    isFreeTrial: false,
    sandboxType: 'None',
    sessionMode: 'None',
    allowedCustomerOperations: ['Read', 'Update', 'Delete'],
    purchaser: { emailId: 'buyer@contoso.example', objectId: 'o-1', tenantId: 't-1', puid: null },
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}
