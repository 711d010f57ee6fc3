import fc from 'fast-check';
import {
  buildOperationBody,
  buildPerSeatSubscriptionBody,
  buildPlansBody,
  buildResolveBody,
  buildSubscriptionBody,
} from '../../fakes/marketplaceFixtures';
import { operationSchema } from '../../../shared/marketplace/schemas/operation';
import { planListSchema } from '../../../shared/marketplace/schemas/plan';
import { resolvedSubscriptionSchema, subscriptionSchema } from '../../../shared/marketplace/schemas/subscription';
import { parseBody } from '../../../shared/marketplace/responses';
import { MarketplaceApiError } from '../../../shared/marketplace/errors';

describe('marketplace response schemas', () => {
  it('parses a flat-rate subscription without quantity, with a date-less term and the lastModified sentinel', () => {
    // Prepare
    const body = buildSubscriptionBody();

    // Act
    const subscription = subscriptionSchema.parse(body);

    // Assess
    expect('quantity' in subscription).toBe(false);
    expect(subscription.term).toEqual({ termUnit: 'P1M' });
    expect(subscription.lastModified).toBeUndefined();
    expect(subscription.created).toBe('2021-03-01T10:00:00Z');
    expect(subscription.beneficiary?.puid).toBeNull();
  });

  it('parses a per-seat subscription with quantity "20" and a status with stray spaces', () => {
    // Prepare
    const body = buildPerSeatSubscriptionBody();

    // Act
    const subscription = subscriptionSchema.parse(body);

    // Assess
    expect(subscription.quantity).toBe(20);
    expect(subscription.saasSubscriptionStatus).toBe('Subscribed');
    expect(subscription.term).toEqual({ termUnit: 'P1Y', startDate: '2022-01-01T00:00:00Z', endDate: '2022-12-31T00:00:00Z' });
  });

  it('treats quantity null like an absent quantity', () => {
    // Prepare
    const body = buildSubscriptionBody({ quantity: null });

    // Act
    const subscription = subscriptionSchema.parse(body);

    // Assess
    expect(subscription.quantity).toBeUndefined();
  });

  it('keeps unknown enum values and unknown fields, at the top and nested', () => {
    // Prepare
    const body = buildSubscriptionBody({
      saasSubscriptionStatus: 'Frozen',
      sandboxType: 'Gov',
      term: { termUnit: 'P7Y', billingCadence: 'weekly' },
      fulfillmentId: 'f-1',
      storeFront: 'AzurePortal',
    });

    // Act
    const subscription = subscriptionSchema.parse(body) as unknown as Record<string, unknown>;

    // Assess
    expect(subscription).toMatchObject({
      saasSubscriptionStatus: 'Frozen',
      sandboxType: 'Gov',
      term: { termUnit: 'P7Y', billingCadence: 'weekly' },
      fulfillmentId: 'f-1',
      storeFront: 'AzurePortal',
    });
  });

  it('rejects a quantity that is not a number', () => {
    // Prepare
    const body = buildSubscriptionBody({ quantity: 'lots' });

    // Act
    const result = subscriptionSchema.safeParse(body);

    // Assess
    expect(result.success).toBe(false);
  });

  it('parses a resolve response with its embedded subscription', () => {
    // Prepare
    const body = buildResolveBody();

    // Act
    const resolved = resolvedSubscriptionSchema.parse(body);

    // Assess
    expect(resolved).toMatchObject({ subscriptionName: 'Contoso Cloud Solution', subscription: { planId: 'flat-rate' } });
    expect(resolved.quantity).toBeUndefined();
  });

  it('parses plans with units as a string and quantities as numeric strings', () => {
    // Prepare
    const body = buildPlansBody();

    // Act
    const [gold, seats] = planListSchema.parse(body);

    // Assess
    expect(gold!.planComponents?.recurrentBillingTerms?.[0]?.meteredQuantityIncluded).toEqual([{ dimensionId: 'emails', units: '10' }]);
    expect(gold!.planComponents?.meteringDimensions?.[0]?.pricePerUnit).toBe(0.5);
    expect(seats).toMatchObject({ minQuantity: 1, maxQuantity: 100, isPricePerSeat: true });
  });

  it('parses an operation with a numeric-string quantity and an unknown action', () => {
    // Prepare
    const body = buildOperationBody({ action: 'Transfer', quantity: '20', status: ' InProgress', timeStamp: '2021-03-02T10:00:00' });

    // Act
    const operation = operationSchema.parse(body);

    // Assess
    expect(operation).toMatchObject({ action: 'Transfer', quantity: 20, status: 'InProgress', timeStamp: '2021-03-02T10:00:00' });
  });

  it('turns any JSON body into either a value or a malformedResponse error, never anything else', () => {
    // Prepare
    const bodies = fc.oneof(fc.json(), fc.string());

    // Act
    const property = fc.property(bodies, (text) => {
      try {
        parseBody({ status: 200, headers: new Headers(), text, ids: {} }, subscriptionSchema, 'getSubscription');
        return true;
      } catch (error) {
        return error instanceof MarketplaceApiError && error.kind === 'malformedResponse';
      }
    });

    // Assess
    fc.assert(property, { numRuns: 200 });
  });
});
