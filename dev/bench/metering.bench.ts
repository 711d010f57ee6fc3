import path from 'node:path';
import { subscriptionSchema } from '../../shared/marketplace/schemas/subscription';
import { createTableStores } from '../../shared/storage';
import { recordFromMarketplace } from '../../shared/subscription/fromMarketplace';
import { startStack, type RunningStack } from '../stack';
import { formatMs, report, timed } from './stats';

/**
 * Metering on the local stack (Azurite + emulator + Functions host): ingestion throughput of one
 * hot subscription and dimension (one record per request, then 100 per request), and the
 * marketplace calls needed to emit 1,000 hour-buckets (target: 40, the batch limit of 25).
 */
export async function run(): Promise<void> {
  const stack = await startStack({ appDir: path.resolve(__dirname, '..', '..', '..'), hostPort: 0, emulatorPort: 0, authorityPort: 0 });
  try {
    const hot = await subscribe(stack);
    const now = Date.now();
    const record = (i: number, batch = 0) => ({ subscriptionId: hot, dimension: 'api-calls', quantity: 1, timestamp: new Date(now - 1_000).toISOString(), id: `b${batch}-r${i}` });

    await postUsage(stack, [record(0, -1)]);
    const single = await timed(2_000, 16, (i) => postUsage(stack, [record(i)]));
    console.log(`${report('ingestion, 1 record per request, concurrency 16', single)} → ${rate(2_000, single.wallMs)} records/s`);
    const batched = await timed(100, 4, (i) => postUsage(stack, Array.from({ length: 100 }, (_, r) => record(r, i + 1))));
    console.log(`${report('ingestion, 100 records per request, concurrency 4 (requests)', batched)} → ${rate(10_000, batched.wallMs)} records/s`);

    const subscriptions: string[] = [];
    for (let n = 0; n < 50; n += 1) subscriptions.push(await subscribe(stack));
    const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
    const records = subscriptions.flatMap((subscriptionId) =>
      Array.from({ length: 10 }, (_, k) => new Date(hourStart - (k + 2) * 3_600_000 + 60_000).toISOString()).flatMap((timestamp) =>
        ['api-calls', 'storage-gb'].map((dimension) => ({ subscriptionId, dimension, quantity: 2, timestamp })),
      ),
    );
    for (let start = 0; start < records.length; start += 250) await postUsage(stack, records.slice(start, start + 250));
    await control(stack, '/faults', { kind: 'http', method: 'POST', path: '/api/batchUsageEvent', latencyMs: 0 });
    const began = performance.now();
    await fetch(`${stack.hostUrl}/admin/functions/emitUsage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":""}' });
    for (;;) {
      const state = (await control(stack, '/state')) as { usageEvents: number; faultLog: Array<{ path: string }> };
      if (state.usageEvents >= 1_000) {
        const calls = state.faultLog.filter((entry) => entry.path === '/api/batchUsageEvent').length;
        console.log(`emission: 1000 hour-buckets emitted in ${formatMs(performance.now() - began)} with ${calls} marketplace calls (target 40)`);
        break;
      }
      if (performance.now() - began > 120_000) throw new Error(`emission did not finish: ${state.usageEvents} events accepted`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.log(`rss of this process after: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);
  } finally {
    await stack.stop();
  }
}

function rate(records: number, wallMs: number): string {
  return ((records / wallMs) * 1000).toFixed(0);
}

async function postUsage(stack: RunningStack, body: unknown[]): Promise<void> {
  const response = await fetch(`${stack.hostUrl}/api/usage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /api/usage answered ${response.status}: ${text.slice(0, 500)}`);
}

async function control(stack: RunningStack, pathAndQuery: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.emulator.url}/control${pathAndQuery}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${pathAndQuery}: ${response.status}`);
  return response.json();
}

/** Buys the metered plan, activates it at the emulator and writes the local record. */
async function subscribe(stack: RunningStack): Promise<string> {
  const { subscriptionId } = (await control(stack, '/purchases', { offerId: 'contoso-analytics', planId: 'starter' })) as { subscriptionId: string };
  const tokenResponse = await fetch(`${stack.emulator.url}/${stack.settings.MARKETPLACE_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: String(stack.settings.MARKETPLACE_CLIENT_ID),
      client_secret: String(stack.settings.MARKETPLACE_CLIENT_SECRET),
      scope: '20e940b3-4c77-4b0b-9a53-9e16a1b010a7/.default',
    }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const api = (suffix: string, init: RequestInit = {}) =>
    fetch(`${stack.emulator.apiBaseUrl}/saas/subscriptions/${subscriptionId}${suffix}?api-version=2018-08-31`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  const activated = await api('/activate', { method: 'POST', body: JSON.stringify({ planId: 'starter' }) });
  if (!activated.ok) throw new Error(`activate: ${activated.status}`);
  const subscription = subscriptionSchema.parse(await (await api('')).json());
  const { subscriptions } = createTableStores({ connectionString: stack.azurite.connectionString });
  await subscriptions.create(recordFromMarketplace(subscription, new Date().toISOString())).catch(async () => {
    await subscriptions.updateWithRetry(subscriptionId, (current) => recordFromMarketplace(subscription, new Date().toISOString(), current));
  });
  return subscriptionId;
}
