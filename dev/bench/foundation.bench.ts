import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { startAzurite } from '../azurite';
import { createEmulator, DEFAULT_CLIENT_SECRET } from '../emulator';
import { createMarketplaceClient, MARKETPLACE_SCOPE } from '../../shared/marketplace';
import { createTableStores } from '../../shared/storage';
import type { SubscriptionRecord } from '../../shared/subscription/model';
import { report, timed } from './stats';

/**
 * Foundation figures: the Marketplace client against the local emulator (with a token from the
 * emulator's authority), and the Table Storage subscription store on Azurite (conditional create
 * and ETag-conditional update).
 */
export async function run(): Promise<void> {
  const emulator = await createEmulator({ port: 0, authorityPort: 0 });
  const azurite = await startAzurite();
  try {
    const token = await emulatorToken(emulator.authorityUrl, emulator.publisherTenantId, emulator.publisherAppId, emulator.caCertPath);
    const client = createMarketplaceClient({
      baseUrl: emulator.apiBaseUrl,
      credential: { getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
    });
    const offer = emulator.catalog.offers[0];
    const plan = offer?.plans.find((p) => !p.isPrivate && !p.isPricePerSeat);
    if (offer === undefined || plan === undefined) throw new Error('emulator catalog has no flat-rate plan');
    const bought = (await (
      await fetch(`${emulator.url}/control/purchases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ offerId: offer.offerId, planId: plan.planId }),
      })
    ).json()) as { subscriptionId: string };

    console.log(report('marketplace getSubscription, concurrency 1', await timed(300, 1, () => client.getSubscription(bought.subscriptionId))));
    console.log(report('marketplace getSubscription, concurrency 20', await timed(2000, 20, () => client.getSubscription(bought.subscriptionId))));

    const stores = createTableStores({ connectionString: azurite.connectionString, tableNamePrefix: 'bench' });
    const records = Array.from({ length: 500 }, (): SubscriptionRecord => ({
      id: randomUUID(),
      name: 'bench',
      offerId: offer.offerId,
      planId: plan.planId,
      status: 'PendingFulfillmentStart',
      term: { termUnit: 'P1M' },
      autoRenew: true,
      isTest: true,
      isFreeTrial: false,
      allowedCustomerOperations: ['Read', 'Update', 'Delete'],
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    }));
    await stores.subscriptions.get('warm-up');
    console.log(report('table create (conditional), concurrency 10', await timed(records.length, 10, (i) => stores.subscriptions.create(records[i] as SubscriptionRecord))));
    console.log(
      report(
        'table updateWithRetry (read + ETag write), concurrency 10',
        await timed(records.length, 10, (i) => stores.subscriptions.updateWithRetry((records[i] as SubscriptionRecord).id, (r) => ({ ...r, status: 'Subscribed' }))),
      ),
    );
    console.log(`rss after: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);
  } finally {
    await azurite.stop();
    await emulator.stop();
  }
}

/** A client-credentials token from the emulator's authority, trusting its self-signed CA explicitly. */
async function emulatorToken(authorityHost: string, tenantId: string, clientId: string, caCertPath: string): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: DEFAULT_CLIENT_SECRET,
    scope: MARKETPLACE_SCOPE,
  }).toString();
  const ca = readFileSync(caCertPath);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(new URL(`${authorityHost}/${tenantId}/oauth2/v2.0/token`), { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end(form);
  });
  return (JSON.parse(text) as { access_token: string }).access_token;
}
