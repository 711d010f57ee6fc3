import type { RunningStack } from '../../dev/stack';
import { SIGNATURE_HEADER, SignatureVerificationError, verifySignature } from '../../shared/isv/signature';
import { startIsvReceiver, type IsvReceiver } from '../fakes/isvReceiver';
import { addressesOf, eventually, LandingStackClient, startLandingStack } from './support/landingStack';

// A stack of its own whose ISV hooks POST signed CloudEvents to a receiver standing in for the product.
const ISV_SECRET = 'landing-e2e-isv-secret-0123456789abcdefgh';
let receiver: IsvReceiver;
let stack: RunningStack;
let client: LandingStackClient;

beforeAll(async () => {
  receiver = await startIsvReceiver({ secret: ISV_SECRET });
  stack = await startLandingStack({ ISV_WEBHOOK_URL: receiver.url, ISV_WEBHOOK_SECRET: ISV_SECRET });
  client = new LandingStackClient(addressesOf(stack));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const header = (request: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined => {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
};

describe('the provisioning hook on the local stack', () => {
  it('asks the product to provision with a signed CloudEvent before Activate, then tells it the subscription is active', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-seats', planId: 'team', quantity: 4 });

    // Act
    await client.page(bought.landingUrl);
    await eventually('the activated event', () =>
      Promise.resolve(receiver.eventsOfType('saas.subscription.activated').find((request) => request.event?.subject === bought.subscriptionId)),
    );

    // Assess
    const forThis = receiver.events.filter((request) => request.event?.subject === bought.subscriptionId);
    expect(forThis.map((request) => request.event?.type)).toEqual(['saas.subscription.provision', 'saas.subscription.activated']);
    const [provision] = forThis;
    expect(provision?.signature).toEqual({ valid: true });
    expect(provision?.event).toMatchObject({ specversion: '1.0', id: `${bought.subscriptionId}:provision`, subject: bought.subscriptionId });
    expect(provision?.event?.data).toMatchObject({ subscription: { id: bought.subscriptionId, planId: 'team', quantity: 4, status: 'PendingFulfillmentStart' } });
    expect(header(provision!, 'Idempotency-Key')).toBe(`${bought.subscriptionId}:provision`);
    expect((await client.stored(bought.subscriptionId))?.status).toBe('Subscribed');
  });

  it('signs with the documented scheme: the received signature verifies, and fails once the body is altered', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });
    await client.page(bought.landingUrl);
    const provision = await eventually('the provision event', () =>
      Promise.resolve(receiver.eventsOfType('saas.subscription.provision').find((request) => request.event?.subject === bought.subscriptionId)),
    );
    const signature = header(provision, SIGNATURE_HEADER);
    const altered = provision.rawBody.replace('"starter"', '"enterprise"');

    // Act
    const genuine = (): unknown => verifySignature({ payload: provision.rawBody, header: signature, secrets: [ISV_SECRET], now: Date.now() });
    const tampered = (): unknown => verifySignature({ payload: altered, header: signature, secrets: [ISV_SECRET], now: Date.now() });
    const reasonOf = (verify: () => unknown): string | undefined => {
      try {
        verify();
        return undefined;
      } catch (error) {
        return error instanceof SignatureVerificationError ? error.reason : String(error);
      }
    };

    // Assess
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(altered).not.toBe(provision.rawBody);
    expect(reasonOf(genuine)).toBeUndefined();
    expect(reasonOf(tampered)).toBe('no_matching_signature');
  });

  it('retries the activation while the product cannot provision, with the same idempotency key each time', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'professional' });
    receiver.replyFor(bought.subscriptionId, { status: 503 }, { status: 503 });

    // Act
    await client.page(bought.landingUrl);
    await eventually('the subscription Subscribed after two refused provisions', async () =>
      (await client.stored(bought.subscriptionId))?.status === 'Subscribed' ? true : undefined,
    );

    // Assess
    const provisions = receiver.eventsOfType('saas.subscription.provision').filter((request) => request.event?.subject === bought.subscriptionId);
    expect(provisions).toHaveLength(3);
    expect(new Set(provisions.map((request) => header(request, 'Idempotency-Key')))).toEqual(new Set([`${bought.subscriptionId}:provision`]));
    expect(await client.marketplaceStatus(bought.subscriptionId)).toBe('Subscribed');
  }, 30_000);
});
