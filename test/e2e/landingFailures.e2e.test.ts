import type { RunningStack } from '../../dev/stack';
import { addressesOf, eventually, LandingStackClient, startLandingStack } from './support/landingStack';

// A stack of its own, where the marketplace client makes one attempt per call: every failed
// Activate is a failed queue delivery (retried a second later, poisoned after the 5th).
let stack: RunningStack;
let client: LandingStackClient;

beforeAll(async () => {
  stack = await startLandingStack({ MARKETPLACE_MAX_ATTEMPTS: '1' });
  client = new LandingStackClient(addressesOf(stack));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const activatePath = (subscriptionId: string): string => `/api/saas/subscriptions/${subscriptionId}/activate`;

describe('junk purchase tokens on the local stack', () => {
  it('shows the invalid-link page (400, not 503) when Resolve answers 431, and never sends a far too long token', async () => {
    // Prepare
    const fault = await client.addFault({ kind: 'http', method: 'POST', path: '/api/saas/subscriptions/resolve', status: 431 });
    const landing = new URL('/api/landing', addressesOf(stack).hostUrl);

    try {
      // Act
      landing.searchParams.set('token', 'junk-token-the-marketplace-refuses');
      const refused = await client.page(landing.href);
      const refusedBody = await refused.text();
      landing.searchParams.set('token', 'x'.repeat(15_000));
      const tooLong = await client.page(landing.href);
      const tooLongBody = await tooLong.text();

      // Assess
      expect(refused.status).toBe(400);
      expect(refusedBody).toContain('This link is invalid or has expired');
      expect(tooLong.status).toBe(400);
      expect(tooLongBody).toContain('This link is invalid or has expired');
      expect(await client.faultApplications(fault.id)).toBe(1);
    } finally {
      await client.removeFault(fault.id);
    }
  }, 30_000);
});

describe('activation failures on the local stack', () => {
  it('retries through the queue when Activate fails three times, then activates once', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-seats', planId: 'team', quantity: 3 });
    const fault = await client.addFault({ kind: 'http', method: 'POST', path: activatePath(bought.subscriptionId), status: 500, times: 3 });

    // Act
    await client.page(bought.landingUrl);
    const record = await eventually('the subscription Subscribed after three failures', async () => {
      const stored = await client.stored(bought.subscriptionId);
      return stored?.status === 'Subscribed' ? stored : undefined;
    });

    // Assess
    expect(await client.faultApplications(fault.id)).toBe(3);
    expect(await client.marketplaceStatus(bought.subscriptionId)).toBe('Subscribed');
    expect(record.lastError).toBeUndefined();
    const history = await client.history(bought.subscriptionId);
    expect(history.filter((row) => row.kind === 'StatusChanged')).toHaveLength(1);
    expect(await client.poisonedActivations()).not.toContainEqual(expect.objectContaining({ subscriptionId: bought.subscriptionId }));
  }, 40_000);

  it('moves the message to the poison queue when Activate always fails, and the page says activation failed', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });
    const fault = await client.addFault({ kind: 'http', method: 'POST', path: activatePath(bought.subscriptionId), status: 500 });

    try {
      // Act
      await client.page(bought.landingUrl);
      await eventually('the activation message in activations-poison', async () =>
        (await client.poisonedActivations()).find((message) => message.subscriptionId === bought.subscriptionId),
      );
      const page = await (await client.page(bought.landingUrl)).text();

      // Assess
      const record = await client.stored(bought.subscriptionId);
      expect(record?.status).toBe('PendingFulfillmentStart');
      expect(record?.lastError).toMatchObject({ code: 'ActivationFailed', message: expect.stringContaining('Attempt 5 of 5') });
      expect(await client.faultApplications(fault.id)).toBe(5);
      expect(await client.marketplaceStatus(bought.subscriptionId)).toBe('PendingFulfillmentStart');
      expect(page).toContain('<h1>Activation failed, we are on it</h1>');
      expect(page).not.toContain('http-equiv="refresh"');
    } finally {
      await client.removeFault(fault.id);
    }
  }, 60_000);

  it('answers 503 with a retry message while the marketplace cannot resolve the token', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });
    const fault = await client.addFault({ kind: 'http', method: 'POST', path: '/api/saas/subscriptions/resolve', status: 503, times: 1 });

    // Act
    const unavailable = await client.page(bought.landingUrl);
    const body = await unavailable.text();
    const retried = await client.page(bought.landingUrl);

    // Assess
    expect(await client.faultApplications(fault.id)).toBe(1);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('30');
    expect(body).toContain('try again in a minute');
    expect(retried.status).toBe(200);
  });
});
