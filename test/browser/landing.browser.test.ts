import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunningStack } from '../../dev/stack';
import { addressesOf, LandingStackClient, startLandingStack, TEST_FORM_SECRET } from '../e2e/support/landingStack';
import { CHROMIUM, CHROMIUM_ARGS, documentWidthAt, SCREENSHOTS as DOCS, watchPage } from './browserSupport';

const LONG_URL = `https://docs.contoso.example/getting-started/${'a-very-long-path-segment-without-any-break-'.repeat(12)}end`;
const XSS_NAME = '<script>alert(1)</script>';

let stack: RunningStack;
let client: LandingStackClient;
let browser: Browser;

beforeAll(async () => {
  if (CHROMIUM === undefined) throw new Error('chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)');
  stack = await startLandingStack({
    LANDING_ACTIVATION_MODE: 'confirm',
    LANDING_FORM_SECRET: TEST_FORM_SECRET,
    LANDING_PRODUCT_NAME: 'Contoso Workspace',
    LANDING_SUPPORT_URL: 'https://support.contoso.example/help',
    LANDING_OFFER_NAME: 'Contoso Workspace for teams',
    LANDING_PRODUCT_URL: 'https://app.contoso.example/start',
    LANDING_SUPPORT_CONTACT: 'help@contoso.example',
    LANDING_NEXT_STEPS: `Read how to invite your team: ${LONG_URL}`,
  });
  client = new LandingStackClient(addressesOf(stack));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/**
 * A fresh browser context that records dialogs, console errors (CSP violations among them), failed
 * responses (except the favicon the browser asks for on its own) and requests to other hosts.
 */
async function openContext(options: { javaScriptEnabled: boolean }): Promise<{ context: BrowserContext; page: Page; dialogs: string[]; errors: string[]; foreignRequests: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled, viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { context, page, dialogs, ...watchPage(page, stack.hostUrl) };
}

describe('the landing page in a real browser', () => {
  it('renders the purchase, activates it with the button and turns active, all without JavaScript', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-seats', planId: 'team', quantity: 5, name: 'Fabrikam design team' });
    const { context, page, errors, foreignRequests } = await openContext({ javaScriptEnabled: false });
    await page.goto(bought.landingUrl);
    const confirmHeading = await page.getByRole('heading', { level: 1 }).textContent();
    const button = page.getByRole('button', { name: 'Activate subscription' });
    const buttonColour = await button.evaluate((element) => getComputedStyle(element).backgroundColor);
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: path.join(DOCS, 'landing-page.png'), fullPage: true });

    // Act
    await button.click();
    await page.getByRole('heading', { level: 1, name: 'Your subscription', exact: true }).waitFor({ timeout: 30_000 });

    // Assess
    expect(confirmHeading).toBe('Activate your subscription');
    expect(buttonColour).toBe('rgb(10, 88, 202)');
    expect(await page.getByRole('status').textContent()).toContain('is active');
    expect(await page.locator('dl.details').textContent()).toContain('Fabrikam design team');
    expect(await page.getByRole('main').count()).toBe(1);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect((await client.stored(bought.subscriptionId))?.status).toBe('Subscribed');
    expect(await page.getByRole('link', { name: 'Open Contoso Workspace' }).getAttribute('href')).toBe('https://app.contoso.example/start');
    await page.screenshot({ path: path.join(DOCS, 'landing-page-active.png'), fullPage: true });
    await context.close();
  }, 60_000);

  it('shows a subscription named <script>alert(1)</script> as text, with the styles allowed by the policy', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-analytics', planId: 'starter', name: XSS_NAME });
    const { context, page, dialogs, errors } = await openContext({ javaScriptEnabled: true });

    // Act
    await page.goto(bought.landingUrl);

    // Assess
    const nameCell = page.locator('dl.details dt', { hasText: 'Subscription' }).locator('xpath=following-sibling::dd[1]');
    expect(await nameCell.textContent()).toBe(XSS_NAME);
    expect(await page.locator('script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    const buttonColour = await page.getByRole('button', { name: 'Activate subscription' }).evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(buttonColour).toBe('rgb(10, 88, 202)');
    await context.close();
  }, 30_000);

  it('shows the offer name, no e-mail promise, and nothing overflows at 375 px or 1,280 px even with a long URL in the text', async () => {
    // Prepare
    const bought = await client.purchase({ offerId: 'contoso-seats', planId: 'team', quantity: 5, name: `Workspace ${LONG_URL}` });
    const { context, page } = await openContext({ javaScriptEnabled: false });

    // Act
    const narrow = await documentWidthAt(page, 375, bought.landingUrl);
    const text = await page.locator('main').textContent();
    const wide = await documentWidthAt(page, 1280, bought.landingUrl);

    // Assess
    expect({ narrow, wide }).toEqual({ narrow: 375, wide: 1280 });
    expect(text).toContain('Contoso Workspace for teams');
    expect(text).not.toContain('contoso-seats');
    expect(text).not.toMatch(/e-mail/i);
    expect(text).toContain(LONG_URL);
    await context.close();
  }, 30_000);
});
