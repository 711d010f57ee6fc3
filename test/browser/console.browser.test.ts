import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunningStack } from '../../dev/stack';
import { encodeQueueMessage, poisonQueueName, QUEUE_NAMES } from '../../shared/storage';
import { addressesOf, eventually, LandingStackClient, startLandingStack } from '../e2e/support/landingStack';
import { CHROMIUM, CHROMIUM_ARGS, documentWidthAt, SCREENSHOTS as DOCS, watchPage } from './browserSupport';

const BUYER = 'buyer@customer.example';
const OPERATOR = 'Ada Operator';

let stack: RunningStack;
let client: LandingStackClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watched: { errors: string[]; foreignRequests: string[] };

/** A purchase the buyer has landed on and that is active in our store. */
async function activePurchase(name: string, planId = 'team', quantity = 5): Promise<string> {
  const bought = await client.purchase({ offerId: 'contoso-seats', planId, quantity, name });
  const landing = await client.page(bought.landingUrl);
  expect(landing.status).toBe(200);
  await eventually('subscription active in storage', async () => ((await client.stored(bought.subscriptionId))?.status === 'Subscribed' ? true : undefined), 30_000);
  return bought.subscriptionId;
}

/** Accessibility basics of the current page: one h1, every field labelled, visible focus on the first action. */
async function checkBasics(): Promise<void> {
  expect(await page.locator('h1').count()).toBe(1);
  const unlabelled = await page.$$eval('input:not([type=hidden]), select', (fields) => fields.filter((f) => (f as HTMLInputElement).labels?.length === 0).map((f) => f.outerHTML));
  expect(unlabelled).toEqual([]);
  const outline = await page.locator('main button, main a').first().evaluate((element) => {
    (element as HTMLElement).focus();
    return getComputedStyle(element).outlineStyle;
  });
  expect(outline).not.toBe('none');
}

/** The page fits a 375 px wide screen: nothing makes the document scroll sideways. */
async function checkNarrow(url: string): Promise<void> {
  const narrow = await context.newPage();
  const width = await documentWidthAt(narrow, 375, url);
  await narrow.close();
  expect({ url, width: Math.max(width, 375) }).toEqual({ url, width: 375 });
}

beforeAll(async () => {
  if (CHROMIUM === undefined) throw new Error('chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)');
  stack = await startLandingStack({ LANDING_PRODUCT_NAME: 'Contoso Workspace' });
  client = new LandingStackClient(addressesOf(stack));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  // No JavaScript: the console works without it.
  context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  watched = watchPage(page, stack.hostUrl);
  mkdirSync(DOCS, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the operator console in a real browser', () => {
  it('signs in locally, finds a purchase by buyer e-mail, changes its seats and follows the operation to Succeeded', async () => {
    // Prepare
    const subscriptionId = await activePurchase('Northwind seats in the console');

    // Act: sign in
    await page.goto(`${stack.hostUrl}/api/console`);
    await page.getByLabel('Your name').fill(OPERATOR);
    await page.getByLabel('Role').selectOption('Console.Admin');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await checkBasics();
    await page.screenshot({ path: path.join(DOCS, 'console-overview.png'), fullPage: true });

    // Act: find it by the buyer's e-mail
    await page.getByRole('link', { name: 'Subscriptions', exact: true }).click();
    await page.getByLabel('Search (id, name, buyer e-mail or tenant)').fill(BUYER);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'Northwind seats in the console' }).waitFor();
    await checkBasics();
    await page.screenshot({ path: path.join(DOCS, 'console-subscriptions.png'), fullPage: true });
    await page.getByRole('link', { name: 'Northwind seats in the console' }).click();

    // Act: change the seats, with the keyboard
    await page.getByLabel('Seats').fill('8');
    await page.getByRole('button', { name: 'Change seats…' }).focus();
    await page.keyboard.press('Enter');
    const confirmation = await page.locator('.confirm').textContent();
    await page.getByRole('button', { name: 'Change the seats' }).click();
    await eventually(
      'the tracked request is final',
      async () => {
        await page.reload();
        return (await page.locator('#tracking + p').textContent())?.includes('Completed') ? true : undefined;
      },
      30_000,
      1_000,
    );

    // Assess
    expect(confirmation).toContain('Microsoft will change the seats of Northwind seats in the console from 5 to 8');
    expect(await page.locator('#tracking + p').textContent()).toContain('Microsoft: Succeeded');
    expect(await page.locator('ol.timeline').textContent()).toContain(`ChangeQuantity requested by ${OPERATOR} (console)`);
    expect((await client.stored(subscriptionId))?.quantity).toBe(8);
    await checkBasics();
    await page.screenshot({ path: path.join(DOCS, 'console-subscription.png'), fullPage: true });
    await checkNarrow(page.url());
  }, 120_000);

  it('replays a poison message', async () => {
    // Prepare: what the Functions host leaves after five failed deliveries
    const subscriptionId = await activePurchase('Poisoned activation');
    const queue = QueueServiceClient.fromConnectionString(stack.azurite.connectionString).getQueueClient(poisonQueueName(QUEUE_NAMES.activations));
    await queue.createIfNotExists();
    await queue.sendMessage(encodeQueueMessage({ subscriptionId, planId: 'team', quantity: 5, requestId: 'browser-poison', requestedAt: new Date().toISOString() }));

    // Act
    await page.goto(`${stack.hostUrl}/api/console/poison`);
    await checkBasics();
    const row = page.locator('tr', { hasText: subscriptionId });
    await row.getByRole('button', { name: 'Replay' }).click();

    // Assess
    expect(await page.getByRole('status').first().textContent()).toContain(`${OPERATOR} replayed 1 message(s) of activations-poison`);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
  }, 60_000);

  it('cancels a subscription', async () => {
    // Prepare
    const subscriptionId = await activePurchase('Subscription to cancel');

    // Act
    await page.goto(`${stack.hostUrl}/api/console/subscriptions/${subscriptionId}`);
    await page.getByRole('button', { name: 'Cancel subscription…' }).click();
    const confirmation = await page.locator('.confirm').textContent();
    await page.getByRole('button', { name: 'Cancel the subscription' }).click();
    await eventually('the subscription is Unsubscribed', async () => ((await client.stored(subscriptionId))?.status === 'Unsubscribed' ? true : undefined), 30_000);

    // Assess
    expect(confirmation).toContain('Microsoft will cancel Subscription to cancel now');
    expect(await client.marketplaceStatus(subscriptionId)).toBe('Unsubscribed');
  }, 60_000);

  it('shows the delivery log, and every page fits 375 px without errors or foreign requests', async () => {
    // Act
    await page.goto(`${stack.hostUrl}/api/console/operations`);
    await checkBasics();
    await page.screenshot({ path: path.join(DOCS, 'console-operations.png'), fullPage: true });
    const log = await page.locator('main table').textContent();
    for (const section of ['', '/subscriptions', '/operations?failed=1', '/poison', '/usage', '/plans', '/reconcile']) await checkNarrow(`${stack.hostUrl}/api/console${section}`);

    // Assess
    expect(log).toContain('ChangeQuantity');
    expect(log).toContain('Unsubscribe');
    expect(watched.errors).toEqual([]);
    expect(watched.foreignRequests).toEqual([]);
  }, 60_000);
});
