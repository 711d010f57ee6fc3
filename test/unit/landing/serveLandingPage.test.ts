import { ConfigurationError, DependencyUnavailableError } from '../../../shared/errors';
import { serveLandingPage, type LandingDeps } from '../../../shared/landing';
import { PAGE_CSS } from '../../../shared/landing/pageLayout';
import { styleHash } from '../../../shared/http/responses';
import { buildMarketplaceSubscription, FakeMarketplace, marketplaceError, PURCHASE_TOKEN, SUBSCRIPTION_ID } from './support/fakeMarketplace';
import { captureLogs, landingRig, readResponse } from './support/landingRig';

const PAGE = 'https://saas.contoso.example/api/landing';
const PAGE_WITH_TOKEN = `${PAGE}?token=${encodeURIComponent(PURCHASE_TOKEN)}`;

function open(deps: LandingDeps | (() => LandingDeps), url = PAGE_WITH_TOKEN, headers: Record<string, string> = {}) {
  const load = typeof deps === 'function' ? deps : () => deps;
  return serveLandingPage(load, { url, headers: new Headers(headers), invocationId: 'inv-42' }, captureLogs().logger).then(readResponse);
}

function principal(name: string): string {
  return Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'name', val: name }] })).toString('base64');
}

describe('serveLandingPage', () => {
  it('serves the pending page of a new purchase, refreshing itself without any script', async () => {
    // Prepare
    const { deps } = landingRig();

    // Act
    const page = await open(deps);

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<h1>Setting up your subscription</h1>');
    expect(page.body).toMatch(/<meta http-equiv="refresh" content="5">/);
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).toContain('Fabrikam workspace');
    expect(page.body).toContain('Team');
    expect(page.body).toContain('$10.00 per seat per month');
    expect(page.body).toContain('buyer@fabrikam.example');
    expect(page.body).toContain('user@fabrikam.example');
  });

  it('sends a strict Content-Security-Policy that allows exactly the page stylesheet and no script', async () => {
    // Prepare
    const { deps } = landingRig();

    // Act
    const page = await open(deps);

    // Assess
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain(`style-src 'self' ${styleHash(PAGE_CSS)}`);
    expect(policy).not.toMatch(/script-src|unsafe-inline/);
    expect(page.body).toContain(`<style>${PAGE_CSS}</style>`);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('loads nothing from another origin', async () => {
    // Prepare
    const { deps } = landingRig({ settings: { supportUrl: undefined } });

    // Act
    const page = await open(deps);

    // Assess
    expect(page.body).not.toMatch(/(src|href|action)="(https?:)?\/\//i);
    expect(page.body).not.toMatch(/<(link|img|iframe|object)\b/i);
  });

  it('is built for assistive technology: language, landmarks, one h1, labelled sections', async () => {
    // Prepare
    const { deps } = landingRig({ settings: { activationMode: 'confirm' } });

    // Act
    const page = await open(deps);

    // Assess
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toMatch(/<header[^>]*>[\s\S]*<main id="main">[\s\S]*<\/main>[\s\S]*<footer/);
    expect(page.body.match(/<h1>/g)).toHaveLength(1);
    expect(page.body).toContain('<section aria-labelledby="details-heading">');
    expect(page.body).toContain('<h2 id="details-heading">');
    expect(page.body).toContain('<button type="submit">Activate subscription</button>');
    expect(page.body).toContain('role="status"');
  });

  it('shows an Activate form bound to the subscription in confirm mode, posting to this origin', async () => {
    // Prepare
    const { deps } = landingRig({ settings: { activationMode: 'confirm' } });

    // Act
    const page = await open(deps);

    // Assess
    expect(page.body).toContain('<h1>Activate your subscription</h1>');
    expect(page.body).toContain('<form class="activate" method="post" action="/api/landing/activate">');
    expect(page.body).toContain(`name="subscriptionId" value="${SUBSCRIPTION_ID}"`);
    expect(page.body).toMatch(/name="formToken" value="v1\.\d+\.[A-Za-z0-9_-]{43}"/);
    expect(page.body).toContain(`name="token" value="${PURCHASE_TOKEN}"`);
    expect(page.body).not.toContain('http-equiv="refresh"');
  });

  it('resolves the token URL-decoded exactly once, keeping +, / and =', async () => {
    // Prepare
    const { deps, marketplace } = landingRig();

    // Act
    await open(deps, `${PAGE}?token=Zm9v%2BYmFy%2FYmF6%3D%3D`);

    // Assess
    expect(marketplace.callsOf('resolve')).toEqual([['Zm9v+YmFy/YmF6==']]);
  });

  it('shows the account view of an active subscription: plan, seats, term dates, status', async () => {
    // Prepare
    const term = { termUnit: 'P1M', startDate: '2026-03-01T00:00:00Z', endDate: '2026-03-31T00:00:00Z' };
    const marketplace = new FakeMarketplace(buildMarketplaceSubscription({ saasSubscriptionStatus: 'Subscribed', term }));
    const { deps, subscriptions } = landingRig({ marketplace });
    await open(deps);
    await subscriptions.updateWithRetry(SUBSCRIPTION_ID, (r) => ({ ...r, status: 'Subscribed' }));

    // Act
    const page = await open(deps);

    // Assess
    expect(page.body).toContain('<h1>Your subscription</h1>');
    expect(page.body).toContain('<dt>Seats</dt><dd>5</dd>');
    expect(page.body).toContain('<dt>Current term</dt><dd>2026-03-01 to 2026-03-31</dd>');
    expect(page.body).toContain('<dt>Status</dt><dd>Active</dd>');
    expect(page.body).toContain('<dt>Renewal</dt><dd>Renews automatically</dd>');
    expect(page.body).not.toContain('<form');
    expect(page.body).not.toContain('http-equiv="refresh"');
  });

  it.each([
    ['Suspended', 'Your subscription is suspended'],
    ['Unsubscribed', 'Your subscription has ended'],
  ])('shows a %s subscription as such', async (status, heading) => {
    // Prepare
    const marketplace = new FakeMarketplace(buildMarketplaceSubscription({ saasSubscriptionStatus: status }));
    const { deps, activations } = landingRig({ marketplace });

    // Act
    const page = await open(deps);

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<h1>${heading}</h1>`);
    expect(activations.messages()).toEqual([]);
  });

  it('tells the buyer that activation failed and that we are on it, once the last attempt failed', async () => {
    // Prepare
    const { deps, subscriptions } = landingRig();
    await open(deps);
    await subscriptions.updateWithRetry(SUBSCRIPTION_ID, (r) => ({ ...r, lastError: { code: 'ActivationFailed', message: 'Attempt 5 of 5: HTTP 500', at: r.createdAt } }));

    // Act
    const page = await open(deps);

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Activation failed, we are on it</h1>');
    expect(page.body).toContain(SUBSCRIPTION_ID);
    expect(page.body).not.toContain('HTTP 500');
    expect(page.body).not.toContain('http-equiv="refresh"');
  });

  it('escapes every value, so a subscription name with markup is shown as text', async () => {
    // Prepare
    const marketplace = new FakeMarketplace(buildMarketplaceSubscription({ name: '<script>alert(1)</script>', purchaser: { emailId: '"><img src=x onerror=alert(2)>' } }));
    const { deps } = landingRig({ marketplace, settings: { productName: 'Contoso <b>Workspace</b>', offerName: '<i>Analytics</i>' } });

    // Act
    const page = await open(deps);

    // Assess
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).not.toContain('<img');
    expect(page.body).not.toContain('<b>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(page.body).toContain('<dt>Offer</dt><dd>&lt;i&gt;Analytics&lt;/i&gt;</dd>');
  });

  it('shows the offer display name, no e-mail promise, the next steps and support contact from the settings, and "Open <product>" once active', async () => {
    // Prepare
    const settings = { offerName: 'Contoso Analytics', nextSteps: 'We create your workspace within a minute.', supportContact: 'help@contoso.example', productUrl: 'https://app.contoso.example/start' };
    const pending = landingRig({ settings });
    const active = landingRig({ settings, marketplace: new FakeMarketplace(buildMarketplaceSubscription({ saasSubscriptionStatus: 'Subscribed' })) });

    // Act
    const pendingPage = String((await open(pending.deps)).body);
    const activePage = String((await open(active.deps)).body);

    // Assess
    expect(pendingPage).toContain('<dt>Offer</dt><dd>Contoso Analytics</dd>');
    expect(pendingPage).not.toMatch(/e-mail/i);
    expect(pendingPage).toContain('<li>We create your workspace within a minute.</li>');
    expect(pendingPage).toContain('Support: <a href="mailto:help@contoso.example">help@contoso.example</a>');
    expect(pendingPage).not.toContain('Open Contoso Workspace');
    expect(activePage).toContain('<a class="button" href="https://app.contoso.example/start">Open Contoso Workspace</a>');
  });

  it('answers 400 with the way back when the URL has no token', async () => {
    // Prepare
    const { deps, marketplace } = landingRig();

    // Act
    const page = await open(deps, PAGE);

    // Assess
    expect(page.status).toBe(400);
    expect(page.body).toContain('Azure portal');
    expect(page.body).toContain('Microsoft 365 admin center');
    expect(marketplace.calls).toEqual([]);
  });

  it.each([
    ['Resolve refuses it', `${PAGE}?token=unknown-token`],
    ['its percent-encoding is broken', `${PAGE}?token=%zz`],
  ])('tells the buyer to reopen the subscription from the portal when %s', async (_case, url) => {
    // Prepare
    const { deps } = landingRig();

    // Act
    const page = await open(deps, url);

    // Assess
    expect(page.status).toBe(400);
    expect(page.body).toContain('<h1>This link is invalid or has expired</h1>');
    expect(page.body).toContain('<strong>Azure portal</strong> or the <strong>Microsoft 365 admin center</strong>');
  });

  it('answers 503 with Retry-After and a retry link when the marketplace is unavailable', async () => {
    // Prepare
    const { deps, marketplace } = landingRig();
    marketplace.fail('resolve', marketplaceError('resolve', 503));

    // Act
    const page = await open(deps);

    // Assess
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('30');
    expect(page.body).toContain('try again in a minute');
    expect(page.body).toContain(`<a href="/api/landing?token=${encodeURIComponent(PURCHASE_TOKEN)}">Try again</a>`);
  });

  it('answers 503 when storage is unavailable', async () => {
    // Prepare
    const { deps } = landingRig();
    deps.subscriptions.create = () => Promise.reject(new DependencyUnavailableError('table-storage', 'Table Storage failed'));

    // Act
    const page = await open(deps);

    // Assess
    expect(page.status).toBe(503);
  });

  it('shows a generic 500 page with the invocation id and no internals when something unexpected fails', async () => {
    // Prepare
    const { deps } = landingRig();
    deps.subscriptions.create = () => Promise.reject(new TypeError('secret internal detail at line 42'));

    // Act
    const page = await open(deps);

    // Assess
    expect(page.status).toBe(500);
    expect(page.body).toContain('inv-42');
    expect(page.body).not.toContain('secret internal detail');
    expect(page.body).not.toMatch(/\bat \S+:\d+/);
  });

  it('shows the 500 page when the settings are invalid', async () => {
    // Prepare
    const load = (): LandingDeps => {
      throw new ConfigurationError(['LANDING_FORM_SECRET is required when LANDING_ACTIVATION_MODE is confirm']);
    };

    // Act
    const page = await open(load);

    // Assess
    expect(page.status).toBe(500);
    expect(page.body).not.toContain('LANDING_FORM_SECRET');
  });

  it('redirects to the Easy Auth login, coming back to this page, when sign-in is required', async () => {
    // Prepare
    const { deps, marketplace } = landingRig({ settings: { easyAuth: true, requireSignIn: true } });

    // Act
    const response = await open(deps);

    // Assess
    expect(response.status).toBe(302);
    const location = response.headers.get('location') ?? '';
    expect(location.startsWith('/.auth/login/aad?post_login_redirect_uri=')).toBe(true);
    expect(new URL(location, 'https://x').searchParams.get('post_login_redirect_uri')).toBe(`/api/landing?token=${encodeURIComponent(PURCHASE_TOKEN)}`);
    expect(marketplace.calls).toEqual([]);
  });

  it('shows who is signed in behind Easy Auth', async () => {
    // Prepare
    const { deps } = landingRig({ settings: { easyAuth: true, requireSignIn: true } });

    // Act
    const page = await open(deps, PAGE_WITH_TOKEN, { 'x-ms-client-principal': principal('Dana <Buyer>') });

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain('Signed in as <strong>Dana &lt;Buyer&gt;</strong>');
    expect(page.body).toContain('<a href="/.auth/logout">Sign out</a>');
  });

  it('ignores a principal header when Easy Auth is not in front', async () => {
    // Prepare
    const { deps } = landingRig({ settings: { easyAuth: false } });

    // Act
    const page = await open(deps, PAGE_WITH_TOKEN, { 'x-ms-client-principal': principal('Mallory') });

    // Assess
    expect(page.body).not.toContain('Mallory');
    expect(page.body).not.toContain('Signed in as');
  });
});
