import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

/** Debian's chromium driven by playwright-core (which downloads nothing); CI installs the package. */
export const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => candidate && existsSync(candidate));
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/**
 * Screenshots go to .tmp/ on every run; `UPDATE_SCREENSHOTS=1 npx jest test/browser` refreshes the
 * ones committed under docs/ (they change with every run: ids and dates).
 */
export const SCREENSHOTS = path.resolve(__dirname, '..', '..', process.env.UPDATE_SCREENSHOTS === '1' ? 'docs' : '.tmp');

/**
 * Records on `page`: console errors (CSP violations among them), failed responses (except the
 * favicon the browser asks for on its own) and requests to any host other than `hostUrl`.
 */
export function watchPage(page: Page, hostUrl: string): { errors: string[]; foreignRequests: string[] } {
  const errors: string[] = [];
  const foreignRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') errors.push(`${response.status()} ${response.url()}`);
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(hostUrl)) foreignRequests.push(request.url());
  });
  return { errors, foreignRequests };
}

/** How wide the document is at `width` px: more than `width` means something overflows sideways. */
export async function documentWidthAt(page: Page, width: number, url: string): Promise<number> {
  await page.setViewportSize({ width, height: 800 });
  await page.goto(url);
  return page.evaluate(() => document.documentElement.scrollWidth);
}
