import type { CatalogPlan } from '../../../../shared/catalog/planCatalog';
import type { BucketKey, NewUsageRecord, UsageBucket } from '../../../../shared/metering/model';
import { callerRecordId } from '../../../../shared/metering/usageKeys';

export const SUBSCRIPTION_ID = '5a8b2a8e-9d7c-4a3e-8f2b-0c1d2e3f4a5b';
export const OTHER_SUBSCRIPTION_ID = '6b9c3b9f-0e8d-4b4f-9a3c-1d2e3f4a5b6c';
export const HOUR = '2025-03-10T10:00:00.000Z';

export function bucketKey(overrides: Partial<BucketKey> = {}): BucketKey {
  return { subscriptionId: SUBSCRIPTION_ID, dimension: 'api-calls', hour: HOUR, ...overrides };
}

/** A validated record of `bucketKey()`; `id` is the caller's id. */
export function buildRecord(id: string, overrides: Partial<NewUsageRecord> = {}): NewUsageRecord {
  return {
    ...bucketKey(),
    recordId: callerRecordId(id),
    callerId: id,
    quantity: 1,
    timestamp: '2025-03-10T10:15:00.000Z',
    receivedAt: '2025-03-10T10:15:01.000Z',
    ...overrides,
  };
}

export function buildBucket(overrides: Partial<UsageBucket> = {}): UsageBucket {
  return {
    ...bucketKey(),
    offerId: 'contoso-analytics',
    planId: 'starter',
    state: 'Open',
    createdAt: '2025-03-10T10:15:01.000Z',
    updatedAt: '2025-03-10T10:15:01.000Z',
    attempts: 0,
    ...overrides,
  };
}

export function buildCatalogPlan(overrides: Partial<CatalogPlan> = {}): CatalogPlan {
  return {
    offerId: 'contoso-analytics',
    planId: 'starter',
    displayName: 'Starter',
    isPrivate: false,
    isStopSell: false,
    hasFreeTrials: false,
    isPricePerSeat: false,
    meteringDimensions: [
      { id: 'api-calls', displayName: 'API calls', unitOfMeasure: 'Per 1000 calls', pricePerUnit: 0.5, currency: 'USD' },
      { id: 'storage-gb', displayName: 'Storage', unitOfMeasure: 'GB-hours', pricePerUnit: 0.1, currency: 'USD' },
    ],
    billingTerms: [{ termUnit: 'P1M', price: 49, currency: 'USD', meteredQuantityIncluded: [{ dimensionId: 'api-calls', units: '100' }] }],
    learnedAt: '2025-03-10T09:00:00.000Z',
    learnedFromSubscriptionId: SUBSCRIPTION_ID,
    ...overrides,
  };
}
