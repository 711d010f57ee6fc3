/**
 * Response bodies shaped like the ones in marketplace-api.md (documented samples and recorded real
 * traffic), including the awkward parts: absent quantity, term without dates, the year-1
 * `lastModified` sentinel, `puid: null`, string quantities and units, stray spaces in statuses.
 */
export const SUBSCRIPTION_ID = '37f9dea2-4345-438f-b0bd-03d40d28c7e0';
export const OPERATION_ID = '529f53a3-a5b8-4b8e-9f5e-7a3d0c6fa7a2';

export function buildSubscriptionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: SUBSCRIPTION_ID,
    publisherId: 'contoso',
    offerId: 'ercsaastest1-preview',
    name: 'Contoso Cloud Solution',
    saasSubscriptionStatus: 'PendingFulfillmentStart',
    beneficiary: { emailId: 'buyer@contoso.example', objectId: 'b1', tenantId: 't1', puid: null },
    purchaser: { emailId: 'buyer@contoso.example', objectId: 'b1', tenantId: 't1', puid: '10037FFE' },
    planId: 'flat-rate',
    term: { termUnit: 'P1M' },
    autoRenew: true,
    isTest: false,
    isFreeTrial: false,
    allowedCustomerOperations: ['Read', 'Update', 'Delete'],
    sandboxType: 'None',
    sessionMode: 'None',
    created: '2021-03-01T10:00:00Z',
    lastModified: '0001-01-01T00:00:00',
    ...overrides,
  };
}

export function buildPerSeatSubscriptionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return buildSubscriptionBody({
    planId: 'per-seat',
    quantity: '20',
    saasSubscriptionStatus: ' Subscribed ',
    term: { termUnit: 'P1Y', startDate: '2022-01-01T00:00:00Z', endDate: '2022-12-31T00:00:00Z', chargeDuration: null },
    ...overrides,
  });
}

export function buildResolveBody(): Record<string, unknown> {
  return {
    id: SUBSCRIPTION_ID,
    subscriptionName: 'Contoso Cloud Solution',
    offerId: 'ercsaastest1-preview',
    planId: 'flat-rate',
    subscription: buildSubscriptionBody(),
  };
}

export function buildPlansBody(): Record<string, unknown> {
  return {
    plans: [
      {
        planId: 'gold',
        displayName: 'Gold',
        isPrivate: false,
        description: 'Gold plan',
        hasFreeTrials: false,
        isPricePerSeat: false,
        isStopSell: false,
        market: 'US',
        planComponents: {
          recurrentBillingTerms: [
            {
              currency: 'USD',
              price: 10,
              termUnit: 'P1M',
              termDescription: '1 Month Subscription',
              meteredQuantityIncluded: [{ dimensionId: 'emails', units: '10' }],
            },
          ],
          meteringDimensions: [{ id: 'emails', currency: 'USD', pricePerUnit: 0.5, unitOfMeasure: 'email', displayName: 'Emails' }],
        },
        sourceOffers: [{ externalId: '0a1b2c3d-0000-0000-0000-000000000000' }],
      },
      { planId: 'seats', displayName: 'Seats', isPricePerSeat: true, minQuantity: 1, maxQuantity: '100' },
    ],
  };
}

export function buildOperationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: OPERATION_ID,
    activityId: OPERATION_ID,
    publisherId: 'contoso',
    offerId: 'ercsaastest1-preview',
    planId: 'gold',
    operationRequestSource: 'Partner',
    subscriptionId: SUBSCRIPTION_ID,
    timeStamp: '2021-03-02T10:00:00.123Z',
    action: 'ChangePlan',
    status: 'NotStarted',
    ...overrides,
  };
}

export function buildUsageEventOkBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    usageEventId: 'f6c8e4a2-0000-4000-8000-000000000001',
    status: 'Accepted',
    messageTime: '2024-01-10T09:05:00Z',
    resourceId: SUBSCRIPTION_ID,
    resourceUri: '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.SaaS/resources/contoso',
    quantity: 5,
    dimension: 'emails',
    effectiveStartTime: '2024-01-10T08:00:00Z',
    planId: 'gold',
    ...overrides,
  };
}

export function buildDuplicateBody(): Record<string, unknown> {
  return {
    additionalInfo: { acceptedMessage: buildUsageEventOkBody({ status: 'Duplicate' }) },
    message: 'This usage event already exist.',
    code: 'Conflict',
  };
}
