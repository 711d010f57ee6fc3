import { e2eStack } from './harness';
import { eventually, LandingStackClient } from './support/landingStack';

// The shared stack: automatic activation, queue retries a second apart.
let client: LandingStackClient;

beforeAll(() => {
  const { hostUrl, emulatorUrl, storageConnectionString } = e2eStack();
  client = new LandingStackClient({ hostUrl, emulatorUrl, storageConnectionString });
});

async function subscribedLocally(subscriptionId: string) {
  return eventually(`subscription ${subscriptionId} Subscribed in Table Storage`, async () => {
    const record = await client.stored(subscriptionId);
    return record?.status === 'Subscribed' ? record : undefined;
  });
}

describe('landing page on the local stack (automatic activation)', () => {
  it('takes a flat-rate purchase from the landing link to Subscribed, in Table Storage and at the marketplace', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });

    // Act
    const landing = await client.page(bought.landingUrl);
    const body = await landing.text();
    const record = await subscribedLocally(bought.subscriptionId);

    // Assess
    expect(landing.status).toBe(200);
    expect(body).toContain('<h1>Setting up your subscription</h1>');
    expect(body).toContain('Starter');
    expect(body).toContain('$49.00 per month');
    expect(record).toMatchObject({ offerId: 'contoso-analytics', planId: 'starter', isFreeTrial: false, sandboxType: 'None', sessionMode: 'None' });
    expect(await client.marketplaceStatus(bought.subscriptionId)).toBe('Subscribed');
    const history = await client.history(bought.subscriptionId);
    expect(history.filter((row) => row.kind === 'StatusChanged')).toEqual([expect.objectContaining({ from: 'PendingFulfillmentStart', to: 'Subscribed' })]);
    expect(history.filter((row) => row.kind === 'ActivationRequested')).toHaveLength(1);
  });

  it('activates a per-seat purchase with its seats and shows the account view on the next visit', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-seats', planId: 'team', quantity: 7 });
    await client.page(bought.landingUrl);
    await subscribedLocally(bought.subscriptionId);

    // Act
    const page = await (await client.page(bought.landingUrl)).text();

    // Assess
    expect(page).toContain('<h1>Your subscription</h1>');
    expect(page).toContain('<dt>Seats</dt><dd>7</dd>');
    expect(page).toContain('$70.00 per month for 7 seats');
    expect(page).toMatch(/<dt>Current term<\/dt><dd>\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}<\/dd>/);
    expect(page).not.toContain('http-equiv="refresh"');
  });

  it('refreshes the same record on a second visit with a new token, never duplicating it or activating twice', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-seats', planId: 'business', quantity: 12, name: 'Second visit test' });
    await client.page(bought.landingUrl);
    const first = await subscribedLocally(bought.subscriptionId);
    const manage = await client.newToken(bought.subscriptionId);

    // Act
    const response = await client.page(manage.landingUrl);
    const page = await response.text();

    // Assess
    expect(manage.token).not.toBe(bought.token);
    expect(response.status).toBe(200);
    expect(page).toContain('<h1>Your subscription</h1>');
    const again = await client.stored(bought.subscriptionId);
    expect(again).toMatchObject({ status: 'Subscribed', createdAt: first.createdAt, quantity: 12 });
    const history = await client.history(bought.subscriptionId);
    expect(history.filter((row) => row.kind === 'StatusChanged')).toHaveLength(1);
    expect(history.filter((row) => row.kind === 'ActivationRequested')).toHaveLength(1);
  });

  it('shows a suspended and then an ended subscription for what it is', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'professional' });
    await client.page(bought.landingUrl);
    await subscribedLocally(bought.subscriptionId);

    // Act
    await client.fireAction(bought.subscriptionId, 'Suspend');
    const suspended = await (await client.page((await client.newToken(bought.subscriptionId)).landingUrl)).text();
    await client.fireAction(bought.subscriptionId, 'Unsubscribe');
    const ended = await (await client.page((await client.newToken(bought.subscriptionId)).landingUrl)).text();

    // Assess
    expect(suspended).toContain('<h1>Your subscription is suspended</h1>');
    expect(ended).toContain('<h1>Your subscription has ended</h1>');
  });

  it('shows a subscription name with markup as text', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter', name: '<script>alert(1)</script>' });

    // Act
    const page = await (await client.page(bought.landingUrl)).text();

    // Assess
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
  });

  it('answers 400 without a token, and tells the buyer to reopen from the portal for an unknown one', async () => {
    // Prepare
    const path = '/api/landing';

    // Act
    const missing = await client.page(path);
    const unknown = await client.page(`${path}?token=${encodeURIComponent('bm90IGEgcmVhbCB0b2tlbg+/=')}`);
    const unknownBody = await unknown.text();

    // Assess
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(unknown.status).toBe(400);
    expect(unknownBody).toContain('This link is invalid or has expired');
    expect(unknownBody).toContain('Microsoft 365 admin center');
  });
});
