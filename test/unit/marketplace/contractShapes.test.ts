import { createMarketplaceTestRig, type MarketplaceTestRig } from '../../fakes/marketplaceTestClient';
import { type UnparseableItem } from '../../../shared/marketplace';
import { operationListSchema, operationSchema } from '../../../shared/marketplace/schemas/operation';
import { planListSchema } from '../../../shared/marketplace/schemas/plan';
import { resolvedSubscriptionSchema, subscriptionPageSchema, subscriptionSchema } from '../../../shared/marketplace/schemas/subscription';
import { webhookPayloadSchema } from '../../../shared/webhook/webhookPayload';

/**
 * Shaped as the List Subscriptions example of Microsoft's fulfillment API v2 page: a plan that is
 * not per seat prints `"quantity": ""`, the status carries stray spaces, the dates are the year-1
 * sentinel. (Values are ours; the shape is the documentation's.)
 */
function documentationListItem(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    publisherId: 'contoso',
    offerId: 'offer1',
    name: 'Contoso Cloud Solution',
    saasSubscriptionStatus: ' Subscribed ',
    beneficiary: { emailId: 'test@contoso.example', objectId: 'guid', tenantId: 'guid', puid: null },
    purchaser: { emailId: 'test@contoso.example', objectId: 'guid', tenantId: 'guid', puid: null },
    planId: 'silver',
    term: { termUnit: 'P1M', startDate: '2022-03-07T00:00:00Z', endDate: '2022-04-06T00:00:00Z', chargeDuration: null },
    autoRenew: true,
    isTest: false,
    isFreeTrial: false,
    allowedCustomerOperations: ['Read', 'Update', 'Delete'],
    sandboxType: 'None',
    lastModified: '0001-01-01T00:00:00',
    quantity: '',
    sessionMode: 'None',
    ...overrides,
  };
}

describe('one rule for empty values in every parser', () => {
  it('reads "quantity": "" (and blanks) as absent in Get Subscription, Resolve and the webhook', () => {
    // Prepare
    const item = documentationListItem('sub-1');
    const resolve = { id: 'sub-1', subscriptionName: 'Contoso Cloud Solution', offerId: 'offer1', planId: 'silver', quantity: '', subscription: item };
    const webhook = { id: 'op-1', activityId: 'act-1', subscriptionId: 'sub-1', action: 'Renew', quantity: ' ', planId: '', status: 'Succeeded' };

    // Act
    const subscription = subscriptionSchema.parse(item);
    const resolved = resolvedSubscriptionSchema.parse(resolve);
    const payload = webhookPayloadSchema.parse(webhook);

    // Assess
    expect(subscription.quantity).toBeUndefined();
    expect(subscription.saasSubscriptionStatus).toBe('Subscribed');
    expect(resolved.quantity).toBeUndefined();
    expect(resolved.subscription.quantity).toBeUndefined();
    expect(payload.quantity).toBeUndefined();
    expect(payload.planId).toBeUndefined();
  });

  it('still reads a real quantity, numeric string or number, and still refuses a non-numeric one', () => {
    // Act
    const fromString = subscriptionSchema.parse(documentationListItem('sub-1', { quantity: '20' }));
    const fromNumber = subscriptionSchema.parse(documentationListItem('sub-1', { quantity: 7 }));
    const junk = subscriptionSchema.safeParse(documentationListItem('sub-1', { quantity: 'twenty' }));

    // Assess
    expect(fromString.quantity).toBe(20);
    expect(fromNumber.quantity).toBe(7);
    expect(junk.success).toBe(false);
  });

  it('reads empty optional strings, booleans and dates of an operation as absent', () => {
    // Act
    const operation = operationSchema.parse({ id: 'op-1', status: 'Succeeded', errorStatusCode: '', errorMessage: '', timeStamp: '', planId: ' ' });

    // Assess
    expect(operation).toMatchObject({ id: 'op-1', status: 'Succeeded' });
    expect(operation.errorStatusCode).toBeUndefined();
    expect(operation.errorMessage).toBeUndefined();
    expect(operation.timeStamp).toBeUndefined();
    expect(operation.planId).toBeUndefined();
  });
});

describe('a list page with an item that does not parse', () => {
  it('keeps the other items and sets the odd one aside with its id and the failing paths, never its values', () => {
    // Prepare
    const body = {
      subscriptions: [
        documentationListItem('sub-1'),
        documentationListItem('sub-2', { planId: 42, purchaser: { emailId: 'secret@contoso.example' } }),
        documentationListItem('sub-3', { quantity: '5' }),
        'not an object',
      ],
      '@nextLink': '',
    };

    // Act
    const page = subscriptionPageSchema.parse(body);

    // Assess
    expect(page.subscriptions.map((s) => s.id)).toEqual(['sub-1', 'sub-3']);
    expect(page.subscriptions.map((s) => s.quantity)).toEqual([undefined, 5]);
    expect(page.unparseable).toEqual([
      { index: 1, id: 'sub-2', problems: 'planId: invalid_type' },
      { index: 3, problems: '(root): invalid_type' },
    ]);
    expect(JSON.stringify(page.unparseable)).not.toContain('secret@');
    expect(page.nextLink).toBeUndefined();
  });
});

describe("the shapes of Microsoft's SaaS API emulator", () => {
  it('accepts outstanding operations as a bare array as well as { operations: [...] }', () => {
    // Prepare
    const operation = { id: 'op-1', subscriptionId: 'sub-1', action: 'ChangePlan', planId: 'gold', status: 'InProgress', operationRequestedSource: 'Azure' };

    // Act
    const bare = operationListSchema.parse([operation]);
    const wrapped = operationListSchema.parse({ operations: [operation] });
    const none = operationListSchema.parse({ operations: null });

    // Assess
    expect(bare).toEqual(wrapped);
    expect(bare[0]).toMatchObject({ id: 'op-1', action: 'ChangePlan', status: 'InProgress', operationRequestSource: 'Azure' });
    expect(none).toEqual([]);
  });

  it('accepts [] as well as { plans: [...] } for the available plans', () => {
    // Act
    const bare = planListSchema.parse([]);
    const bareWithPlan = planListSchema.parse([{ planId: 'gold', displayName: 'Gold' }]);
    const wrapped = planListSchema.parse({ plans: [{ planId: 'gold', displayName: 'Gold' }] });

    // Assess
    expect(bare).toEqual([]);
    expect(bareWithPlan).toEqual(wrapped);
  });

  it('reads operationRequestedSource as the documented operationRequestSource; the documented name wins', () => {
    // Act
    const emulator = operationSchema.parse({ id: 'op-1', status: 'Succeeded', operationRequestedSource: 'Partner' });
    const both = operationSchema.parse({ id: 'op-1', status: 'Succeeded', operationRequestSource: 'Azure', operationRequestedSource: 'Partner' });

    // Assess
    expect(emulator.operationRequestSource).toBe('Partner');
    expect(both.operationRequestSource).toBe('Azure');
  });

  it('still refuses a shape that is neither', () => {
    // Act
    const result = operationListSchema.safeParse({ operations: 'none' });

    // Assess
    expect(result.success).toBe(false);
  });
});

describe('listSubscriptions over HTTP', () => {
  let rig: MarketplaceTestRig;

  beforeEach(async () => {
    rig = await createMarketplaceTestRig();
  });

  afterEach(async () => {
    await rig.close();
  });

  it('yields the parseable items of every page and reports each odd one to onUnparseable', async () => {
    // Prepare
    const link = `${rig.server.baseUrl}/saas/subscriptions?continuationToken=p2&api-version=2018-08-31`;
    rig.server.reply(
      { body: { subscriptions: [documentationListItem('sub-1'), documentationListItem('sub-2', { offerId: null })], '@nextLink': link } },
      { body: { subscriptions: [documentationListItem('sub-3')] } },
    );
    const skipped: UnparseableItem[] = [];

    // Act
    const ids: string[] = [];
    for await (const subscription of rig.client.listSubscriptions({ onUnparseable: (item) => skipped.push(item) })) ids.push(subscription.id);

    // Assess
    expect(ids).toEqual(['sub-1', 'sub-3']);
    expect(skipped).toEqual([{ index: 1, id: 'sub-2', problems: 'offerId: invalid_type' }]);
    expect(rig.server.requests).toHaveLength(2);
  });
});
