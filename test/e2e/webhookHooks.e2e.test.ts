import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startStack, type RunningStack } from '../../dev/stack';
import { startIsvReceiver, type IsvReceiver, type ReceivedIsvRequest } from '../fakes/isvReceiver';
import { startWebhookTokenTwin, type WebhookTokenTwin } from '../fakes/webhookTokens';
import { controlAt, emulatorDetail, eventually, fireAt, localStores, marketplaceToken, subscribedSubscription, type EmulatorDelivery, type StackAddresses } from './webhookFlows';

const SECRET = 'webhook-e2e-isv-secret-0123456789abcdef';
const APP_DIR = path.resolve(__dirname, '..', '..');

/**
 * A stack of its own, wired to an ISV receiver (decision and lifecycle hooks, signed CloudEvents)
 * and trusting the test-signing twin's key besides the emulator's, so the test can deliver
 * webhooks itself.
 */
describe('webhook processing with the ISV hooks', () => {
  let stack: RunningStack;
  let twin: WebhookTokenTwin;
  let isv: IsvReceiver;
  let addresses: StackAddresses;
  const refuse = new Set<string>();

  beforeAll(async () => {
    twin = await startWebhookTokenTwin({ tenantId: '5e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b', appId: 'b8c3e5a1-6d2f-4a7b-9e1c-3f5d7a9b1c2e' });
    isv = await startIsvReceiver({
      secret: SECRET,
      respond: (request) => {
        const subscription = (request.event?.data.subscription ?? {}) as { id?: string };
        if (request.kind !== 'decision') return { status: 200, json: { received: true } };
        return { status: 200, json: refuse.has(subscription.id ?? '') ? { accept: false, reason: 'not allowed for this tenant' } : { accept: true } };
      },
    });
    stack = await startStack({
      appDir: APP_DIR,
      hostPort: 0,
      emulatorPort: 0,
      authorityPort: 0,
      ackWindowMs: 6_000,
      settingsOverrides: { ISV_WEBHOOK_URL: isv.url, ISV_DECISION_URL: isv.url, ISV_WEBHOOK_SECRET: SECRET, WEBHOOK_JWKS_URL: twin.jwksUrl },
      hostArgs: ['--visibility-timeout', '00:00:01', '--max-polling-interval', '00:00:00.250'],
    });
    twin.trustKeysFrom(stack.emulator.jwksUrl);
    addresses = { emulatorUrl: stack.emulator.url, emulatorApiUrl: stack.emulator.apiBaseUrl, storageConnectionString: stack.azurite.connectionString, settings: stack.settings };
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await isv?.close();
    await twin?.close();
  });

  const stores = () => localStores(addresses);
  const forSubscription = (requests: ReceivedIsvRequest[], id: string) => requests.filter((request) => request.event?.subject === id);
  const finalStatus = async (id: string, operationId: string): Promise<string> =>
    eventually(`operation ${operationId} final`, async () => {
      const op = (await emulatorDetail(addresses, id)).operations.find((candidate) => candidate.id === operationId);
      return op !== undefined && !['NotStarted', 'InProgress'].includes(op.status) ? op.status : undefined;
    });
  const processed = (operationId: string) =>
    eventually(`operation ${operationId} processed`, async () => ((await stores().operations.get(operationId))?.value.state === 'Completed' ? true : undefined));

  it('imports a purchase activated elsewhere from the Subscribe webhook: provisioned once, activated once', async () => {
    // Prepare: the emulator sends Subscribe after Activate; the buyer never opens the landing page
    await controlAt(addresses.emulatorUrl, '/config', { method: 'PUT', body: { subscribeWebhook: true } });
    try {
      const { subscriptionId: id } = await controlAt<{ subscriptionId: string }>(addresses.emulatorUrl, '/purchases', { body: { offerId: 'contoso-analytics', planId: 'starter' } });

      // Act
      const activated = await fetch(`${addresses.emulatorApiUrl}/saas/subscriptions/${id}/activate?api-version=2018-08-31`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await marketplaceToken(addresses)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ planId: 'starter' }),
      });
      const subscribe = await eventually('the Subscribe webhook delivered', async () =>
        (await emulatorDetail(addresses, id)).operations.find((op) => op.action === 'Subscribe'),
      );
      await processed(subscribe.id);

      // Assess
      expect(activated.status).toBe(200);
      expect((await stores().subscriptions.get(id))?.value).toMatchObject({ status: 'Subscribed', planId: 'starter' });
      expect(forSubscription(isv.events, id).map((request) => [request.event?.type, request.event?.id])).toEqual([
        ['saas.subscription.provision', `${id}:provision`],
        ['saas.subscription.activated', `${id}:activated`],
      ]);
      const history = (await stores().history.list(id)).items.map((entry) => entry.kind).sort();
      expect(history).toEqual(['ImportedFromMarketplace', 'StatusChanged']);
    } finally {
      await controlAt(addresses.emulatorUrl, '/config', { method: 'PUT', body: { subscribeWebhook: false } });
    }
  }, 30_000);

  it('PATCHes Failure when the ISV refuses a plan change: the emulator shows it Failed and nothing changes here', async () => {
    // Prepare
    const id = await subscribedSubscription(addresses, { offerId: 'contoso-analytics', planId: 'starter' });
    refuse.add(id);

    // Act
    const op = await fireAt(addresses, id, 'ChangePlan', { planId: 'professional' });

    // Assess
    expect(await finalStatus(id, op.id)).toBe('Failed');
    await processed(op.id);
    expect((await stores().subscriptions.get(id))?.value.planId).toBe('starter');
    expect(forSubscription(isv.decisions, id)).toHaveLength(1);
    expect(forSubscription(isv.events, id)).toEqual([]);
    const history = (await stores().history.list(id)).items.map((entry) => entry.kind);
    expect(history).toEqual(['ChangeRefused']);
  });

  it('PATCHes Success when the ISV accepts a seat change: Succeeded at the emulator, one quantity_changed event', async () => {
    // Prepare
    const id = await subscribedSubscription(addresses, { offerId: 'contoso-seats', planId: 'team', quantity: 5 });

    // Act
    const op = await fireAt(addresses, id, 'ChangeQuantity', { quantity: 9 });

    // Assess
    expect(await finalStatus(id, op.id)).toBe('Succeeded');
    await processed(op.id);
    expect((await stores().subscriptions.get(id))?.value.quantity).toBe(9);
    expect(forSubscription(isv.decisions, id).map((request) => request.event?.data.quantity)).toEqual([9]);
    expect(forSubscription(isv.events, id).map((request) => request.event?.type)).toEqual(['saas.subscription.quantity_changed']);
  });

  it('cancels with DELETE a reinstatement the ISV refuses, and ends Unsubscribed on both sides', async () => {
    // Prepare
    const id = await subscribedSubscription(addresses, { offerId: 'contoso-analytics', planId: 'starter' });
    await processed((await fireAt(addresses, id, 'Suspend')).id);
    refuse.add(id);

    // Act
    await fireAt(addresses, id, 'Reinstate');

    // Assess
    await eventually('Unsubscribed at the emulator', async () => ((await emulatorDetail(addresses, id)).subscription.saasSubscriptionStatus === 'Unsubscribed' ? true : undefined));
    await eventually('Unsubscribed here', async () => ((await stores().subscriptions.get(id))?.value.status === 'Unsubscribed' ? true : undefined));
    expect(forSubscription(isv.events, id).map((request) => request.event?.type)).toEqual(['saas.subscription.suspended', 'saas.subscription.unsubscribed']);
  });

  it('converges 200 operations delivered three times each in shuffled order, telling the ISV each change exactly once', async () => {
    // Prepare: 100 subscriptions, each with a seat change and then a suspension; the emulator's own
    // deliveries go to a sink that answers 200, and the test delivers their payloads itself.
    const sink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/sink`;
    await controlAt(addresses.emulatorUrl, '/config', { method: 'PUT', body: { webhookUrl: sinkUrl, ackWindowMs: 200 } });
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      ids.push(...(await Promise.all(Array.from({ length: 10 }, () => subscribedSubscription(addresses, { offerId: 'contoso-seats', planId: 'team', quantity: 2 })))));
    }
    const seatChanges = await Promise.all(ids.map((id) => fireAt(addresses, id, 'ChangeQuantity', { quantity: 3 })));
    await Promise.all(ids.map((id, i) => finalStatus(id, seatChanges[i]!.id)));
    await Promise.all(ids.map((id) => fireAt(addresses, id, 'Suspend')));
    const { deliveries } = await controlAt<{ deliveries: EmulatorDelivery[] }>(addresses.emulatorUrl, '/deliveries');
    const ours = deliveries.filter((delivery) => ids.includes(delivery.subscriptionId));
    expect(ours).toHaveLength(200);
    const shuffled = shuffle(ours.flatMap((delivery) => [delivery, delivery, delivery]), 20260302);
    const authorization = await twin.authorization();
    const eventsBefore = isv.requests.length;

    // Act
    const statuses = await pool(shuffled, 25, async (delivery) => {
      const response = await fetch(`${stack.hostUrl}/api/webhook`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(delivery.payload) });
      return response.status;
    });

    // Assess
    expect(new Set(statuses)).toEqual(new Set([200]));
    await eventually(
      'every operation processed',
      async () => {
        const rows = await Promise.all(ours.map((delivery) => stores().operations.get(delivery.operationId)));
        return rows.every((row) => row?.value.state === 'Completed') ? true : undefined;
      },
      90_000,
      500,
    );
    const records = await Promise.all(ids.map(async (id) => (await stores().subscriptions.get(id))?.value));
    expect(records.every((record) => record?.status === 'Suspended' && record.quantity === 3)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // anything still in flight would show now
    const calls = isv.requests.slice(eventsBefore);
    expect(calls.filter((request) => request.kind === 'decision')).toEqual([]);
    for (const id of ids) {
      expect(forSubscription(calls, id).map((request) => request.event?.type).sort()).toEqual(['saas.subscription.quantity_changed', 'saas.subscription.suspended']);
    }
    expect(new Set(calls.map((request) => request.event?.id)).size).toBe(calls.length);
    await controlAt(addresses.emulatorUrl, '/config', { method: 'PUT', body: { webhookUrl: `${stack.hostUrl}/api/webhook`, ackWindowMs: 6_000 } });
    await new Promise((resolve) => sink.close(resolve));
  }, 240_000);
});

/** A deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        results[index] = await task(items[index] as T);
      }
    }),
  );
  return results;
}
