import type { RunningStack } from '../../dev/stack';
import { addressesOf, eventually, LandingStackClient, startLandingStack, TEST_FORM_SECRET } from './support/landingStack';

// A stack of its own: LANDING_ACTIVATION_MODE=confirm (the buyer presses Activate).
let stack: RunningStack;
let client: LandingStackClient;

beforeAll(async () => {
  stack = await startLandingStack({ LANDING_ACTIVATION_MODE: 'confirm', LANDING_FORM_SECRET: TEST_FORM_SECRET, LANDING_PRODUCT_NAME: 'Contoso Analytics' });
  client = new LandingStackClient(addressesOf(stack));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

function formFields(page: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of page.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) {
    fields[match[1] ?? ''] = (match[2] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  return fields;
}

function submit(action: string, fields: Record<string, string>): Promise<Response> {
  return client.page(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

describe('landing page on the local stack (confirm mode)', () => {
  it('waits for the buyer, then activates after the Activate button and shows the subscription active', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'professional' });
    const page = await (await client.page(bought.landingUrl)).text();
    const action = /<form class="activate" method="post" action="([^"]+)">/.exec(page)?.[1] ?? '';
    const pendingBeforeClick = await client.stored(bought.subscriptionId);

    // Act
    const posted = await submit(action, formFields(page));
    const afterRedirect = await (await client.page(posted.headers.get('location') ?? '')).text();
    const record = await eventually('the subscription Subscribed', async () => {
      const stored = await client.stored(bought.subscriptionId);
      return stored?.status === 'Subscribed' ? stored : undefined;
    });
    const activePage = await (await client.page(bought.landingUrl)).text();

    // Assess
    expect(page).toContain('<h1>Activate your subscription</h1>');
    expect(pendingBeforeClick?.status).toBe('PendingFulfillmentStart');
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/api/landing?token=${encodeURIComponent(bought.token)}`);
    expect(afterRedirect).toMatch(/<h1>(Setting up your subscription|Your subscription)<\/h1>/);
    expect(record.planId).toBe('professional');
    expect(await client.marketplaceStatus(bought.subscriptionId)).toBe('Subscribed');
    expect(activePage).toContain('<h1>Your subscription</h1>');
  });

  it('refuses a form token replayed onto another subscription or altered, and activates nothing with it', async () => {
    // Prepare
    const mine = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });
    const other = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter' });
    const myPage = await (await client.page(mine.landingUrl)).text();
    await client.page(other.landingUrl);
    const fields = formFields(myPage);

    // Act
    const replayed = await submit('/api/landing/activate', { ...fields, subscriptionId: other.subscriptionId, token: other.token });
    const forged = await submit('/api/landing/activate', { ...fields, formToken: `${fields.formToken?.slice(0, -3)}AAA` });
    const mineWhileRefused = await client.marketplaceStatus(mine.subscriptionId);
    // The genuine form afterwards: once it has gone through the queue, so would anything queued before it.
    await submit('/api/landing/activate', fields);
    await eventually('my subscription Subscribed', async () => ((await client.stored(mine.subscriptionId))?.status === 'Subscribed' ? true : undefined));

    // Assess
    expect(replayed.status).toBe(403);
    expect(forged.status).toBe(403);
    expect(mineWhileRefused).toBe('PendingFulfillmentStart');
    expect(await client.marketplaceStatus(other.subscriptionId)).toBe('PendingFulfillmentStart');
    expect((await client.stored(other.subscriptionId))?.status).toBe('PendingFulfillmentStart');
  });
});
