import { randomUUID } from 'node:crypto';
import type { HistoryEntry } from '../../../../shared/storage/historyStore';
import type { OperationRecord } from '../../../../shared/storage/operationLedger';
import type { SubscriptionRecord } from '../../../../shared/subscription/model';

/** A complete subscription as the marketplace would describe it; override what the test is about. */
export function buildSubscription(overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: randomUUID(),
    name: 'Contoso – production',
    publisherId: 'contoso',
    offerId: 'offer-a',
    planId: 'gold',
    quantity: 5,
    status: 'Subscribed',
    term: { termUnit: 'P1M', startDate: '2026-01-01T00:00:00Z', endDate: '2026-01-31T00:00:00Z', chargeDuration: null },
    autoRenew: true,
    isTest: false,
    isFreeTrial: false,
    sandboxType: 'None',
    sessionMode: 'None',
    allowedCustomerOperations: ['Read', 'Update', 'Delete'],
    purchaser: { emailId: 'buyer@example.com', objectId: randomUUID(), tenantId: randomUUID(), puid: null },
    beneficiary: { emailId: 'user@example.com', objectId: randomUUID(), tenantId: randomUUID(), puid: '1000' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function buildOperation(overrides: Partial<OperationRecord> = {}): OperationRecord {
  return {
    id: randomUUID(),
    subscriptionId: randomUUID(),
    action: 'ChangePlan',
    source: 'Azure',
    state: 'Received',
    marketplaceStatus: 'InProgress',
    planId: 'platinum',
    receivedAt: '2026-02-01T10:00:00.000Z',
    updatedAt: '2026-02-01T10:00:00.000Z',
    attempts: 0,
    payload: JSON.stringify({ id: 'op', action: 'ChangePlan', planId: 'platinum' }),
    ...overrides,
  };
}

export function buildHistoryEntry(overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    subscriptionId: randomUUID(),
    at: '2026-02-01T10:00:00.000Z',
    kind: 'PlanChanged',
    from: 'gold',
    to: 'platinum',
    ...overrides,
  };
}
