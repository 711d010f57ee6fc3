import { subscriptionSchema } from '../../../shared/marketplace/schemas/subscription';
import { hourStartMs } from '../../../shared/metering/hours';
import { AlreadyExistsError } from '../../../shared/errors';
import { createTableStores } from '../../../shared/storage/createTableStores';
import { recordFromMarketplace } from '../../../shared/subscription/fromMarketplace';
import type { UsageHourView, UsageReport } from '../../../shared/metering/usageReport';

/**
 * Helpers for the metering end-to-end tests (test/e2e/metering*.e2e.test.ts): they act as the
 * customer (purchase), as the publisher's activation (straight against the emulator's API, then
 * the local record), and as the ISV's product (POST /api/usage). Network only; not a unit test.
 */
export interface StackAddresses {
  hostUrl: string;
  emulatorUrl: string;
  emulatorApiUrl: string;
  storageConnectionString: string;
  settings: Record<string, string>;
}

const API_VERSION = '2018-08-31';

async function token(stack: StackAddresses): Promise<string> {
  const { MARKETPLACE_TENANT_ID: tenant, MARKETPLACE_CLIENT_ID: clientId, MARKETPLACE_CLIENT_SECRET: secret } = stack.settings;
  const response = await fetch(`${stack.emulatorUrl}/${String(tenant)}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(clientId), client_secret: String(secret), scope: '20e940b3-4c77-4b0b-9a53-9e16a1b010a7/.default' }),
  });
  if (!response.ok) throw new Error(`token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Calls the emulator's Marketplace API as the publisher; returns status and JSON. */
export async function marketplaceApi<T>(stack: StackAddresses, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const url = new URL(`${stack.emulatorApiUrl}${path}`);
  url.searchParams.set('api-version', API_VERSION);
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${await token(stack)}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

export async function controlApi<T>(stack: StackAddresses, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${stack.emulatorUrl}/control${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/**
 * Buys `planId`, activates it at the emulator unless `activate` is false, and writes the local
 * record from Microsoft's view (as the activation flow does), tolerating a record written
 * meanwhile by the webhook flow. Returns the subscription id.
 */
export async function purchaseForMetering(stack: StackAddresses, input: { offerId?: string; planId?: string; activate?: boolean } = {}): Promise<string> {
  const planId = input.planId ?? 'starter';
  const bought = await controlApi<{ subscriptionId: string }>(stack, '/purchases', { body: { offerId: input.offerId ?? 'contoso-analytics', planId } });
  const id = bought.subscriptionId;
  if (input.activate !== false) {
    const activated = await marketplaceApi(stack, `/saas/subscriptions/${id}/activate`, { method: 'POST', body: { planId } });
    if (activated.status !== 200) throw new Error(`activate: ${activated.status} ${JSON.stringify(activated.body)}`);
  }
  const read = await marketplaceApi<unknown>(stack, `/saas/subscriptions/${id}`);
  const subscription = subscriptionSchema.parse(read.body);
  const { subscriptions } = createTableStores({ connectionString: stack.storageConnectionString });
  const now = new Date().toISOString();
  try {
    await subscriptions.create(recordFromMarketplace(subscription, now));
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    await subscriptions.updateWithRetry(id, (current) => recordFromMarketplace(subscription, now, current));
  }
  return id;
}

/** POST /api/usage as the ISV's product. */
export async function postUsage(stack: StackAddresses, body: unknown): Promise<{ status: number; body: { accepted: number; duplicate: number; unbilled: number; rejected: number; results: Array<{ index: number; status: string; reason?: { code: string; message: string } }> } }> {
  const response = await fetch(`${stack.hostUrl}/api/usage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as never };
}

export async function usageReport(stack: StackAddresses, subscriptionId: string): Promise<UsageReport> {
  const response = await fetch(`${stack.hostUrl}/api/usage?subscriptionId=${subscriptionId}`);
  if (response.status !== 200) throw new Error(`GET /api/usage: ${response.status} ${await response.text()}`);
  return (await response.json()) as UsageReport;
}

/** Runs the emitUsage timer now through the host's admin API (202; the run finishes in the background). */
export async function runEmission(stack: StackAddresses): Promise<void> {
  const response = await fetch(`${stack.hostUrl}/admin/functions/emitUsage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: '' }) });
  if (response.status !== 202) throw new Error(`emitUsage did not start: ${response.status} ${await response.text()}`);
}

/** The hour view of `dimension` at `hour` once it is in one of `states`, or undefined. */
export async function hourIn(stack: StackAddresses, subscriptionId: string, hour: string, dimension: string, states: string[]): Promise<UsageHourView | undefined> {
  const report = await usageReport(stack, subscriptionId);
  const view = report.hours.find((h) => h.hour === hour && h.dimension === dimension);
  return view !== undefined && states.includes(view.status) ? view : undefined;
}

/** An hour that emission may send right away: two hours ago, plus a timestamp inside it. */
export function closedHour(now = Date.now()): { hour: string; at: (minute: number) => string } {
  const start = hourStartMs(now) - 2 * 3_600_000;
  return { hour: new Date(start).toISOString(), at: (minute) => new Date(start + minute * 60_000).toISOString() };
}
