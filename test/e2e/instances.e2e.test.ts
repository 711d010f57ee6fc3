import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startStack, type RunningStack } from '../../dev/stack';
import { startIsvReceiver, type IsvReceiver } from '../fakes/isvReceiver';
import { addressesOf, controlAt, emulatorDetail, eventually, fireAt, localStores, spawnHost, subscribedSubscription, type SpawnedHost, type StackAddresses } from './webhookFlows';

/**
 * #13 item 12: the app on two instances (two local hosts, instance ids `instance-1` and
 * `instance-2`) against one Azurite and one emulator, as Flex Consumption runs it. Every webhook
 * Microsoft sends is delivered three times across both hosts; buyers land on either host; publisher
 * changes are made through either host. Each piece of work must happen once.
 */
const APP_DIR = path.resolve(__dirname, '..', '..');
const SECRET = 'instances-isv-secret-0123456789abcdef';
const HOST_ARGS = ['--visibility-timeout', '00:00:01', '--max-polling-interval', '00:00:00.250', '--timer-lock-period', '00:00:15', '--timer-lock-polling', '00:00:02'];
const SUBSCRIPTIONS = 25;
const ACTIONS = ['ChangeQuantity', 'Suspend', 'Reinstate', 'Renew', 'ChangeQuantity', 'Suspend', 'Reinstate', 'Renew'] as const;

interface FanOut {
  url: string;
  deliveries: number;
  answers: number[];
  close(): Promise<void>;
}

/** Receives the emulator's webhooks and delivers each one three times: to host 1, to host 2, and to one of them again. */
async function fanOut(hosts: () => readonly string[]): Promise<FanOut> {
  let count = 0;
  const state = { deliveries: 0, answers: [] as number[] };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const [first, second] = hosts();
      count += 1;
      const targets = [first, second, count % 2 === 0 ? first : second] as string[];
      const send = (host: string): Promise<number> =>
        fetch(`${host}/api/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' }, body }).then(
          async (answer) => {
            await answer.arrayBuffer();
            state.deliveries += 1;
            state.answers.push(answer.status);
            return answer.status;
          },
          () => 502,
        );
      // Microsoft hears back as soon as one delivery is answered; the other copies go on regardless.
      const deliveries = targets.map(send);
      void Promise.any(deliveries.map((delivery) => delivery.then((status) => (status === 200 ? status : Promise.reject(new Error(String(status)))))))
        .catch(() => 503)
        .then((status) => {
          response.writeHead(status);
          response.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/webhook`,
    get deliveries() {
      return state.deliveries;
    },
    answers: state.answers,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('several instances: two local hosts on one storage account', () => {
  let stack: RunningStack;
  let second: SpawnedHost;
  let isv: IsvReceiver;
  let proxy: FanOut;
  let addresses: StackAddresses;

  beforeAll(async () => {
    isv = await startIsvReceiver({ secret: SECRET });
    stack = await startStack({
      appDir: APP_DIR,
      hostPort: 0,
      emulatorPort: 0,
      authorityPort: 0,
      ackWindowMs: 6_000,
      settingsOverrides: { ISV_WEBHOOK_URL: isv.url, ISV_DECISION_URL: isv.url, ISV_WEBHOOK_SECRET: SECRET, RECONCILE_EVERY_HOURS: '0' },
      hostArgs: [...HOST_ARGS, '--instance-id', 'instance-1'],
    });
    second = await spawnHost({ appDir: APP_DIR, settings: stack.settings, caCertPath: stack.emulator.caCertPath, args: [...HOST_ARGS, '--instance-id', 'instance-2'] });
    proxy = await fanOut(() => [stack.hostUrl, second.url]);
    await controlAt(stack.emulator.url, '/config', { method: 'PUT', body: { webhookUrl: proxy.url } });
    addresses = addressesOf(stack);
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await second?.stop();
    await stack?.stop();
    await isv?.close();
  });

  it('applies each of 200 operations once though every webhook reaches both hosts three times', async () => {
    // Prepare
    const stores = localStores(addresses);
    const ids: string[] = [];
    for (let i = 0; i < SUBSCRIPTIONS; i += 1) ids.push(await subscribedSubscription(addresses, { offerId: 'contoso-seats', planId: 'team', quantity: 5 }, stores));

    // Act: each subscription goes through ChangeQuantity, Suspend, Reinstate and Renew, one after the other.
    const operationIds = new Map<string, string>();
    const seats = new Map(ids.map((id) => [id, 0]));
    await Promise.all(
      ids.map(async (id, index) => {
        for (const action of ACTIONS) {
          const quantity = 6 + ((index + seats.get(id)!) % 10);
          if (action === 'ChangeQuantity') seats.set(id, seats.get(id)! + 1);
          const operation = await fireAt(addresses, id, action, action === 'ChangeQuantity' ? { quantity } : {});
          operationIds.set(operation.id, action);
          await eventually(`${action} ${operation.id} done here`, async () => ((await stores.operations.get(operation.id))?.value.state === 'Completed' ? true : undefined), 120_000, 250);
        }
      }),
    );

    // Assess
    expect(operationIds.size).toBe(SUBSCRIPTIONS * ACTIONS.length);
    await eventually('every copy delivered', () => (proxy.deliveries >= 3 * operationIds.size ? true : undefined), 30_000, 250);
    expect(proxy.answers.filter((status) => status === 200).length).toBeGreaterThanOrEqual(3 * operationIds.size * 0.9);
    for (const id of ids) {
      const truth = (await emulatorDetail(addresses, id)).subscription;
      const local = (await stores.subscriptions.get(id))?.value;
      expect({ status: local?.status, quantity: local?.quantity, start: local && Date.parse(local.term.startDate ?? '') }).toEqual({
        status: truth.saasSubscriptionStatus,
        quantity: truth.quantity,
        start: Date.parse(truth.term.startDate ?? ''),
      });
    }
    // The ISV heard each change once, and was asked each decision at most once (an operation that
    // waited in the queue past the window is accepted by Microsoft without a decision).
    const eventIds = isv.events.map((request) => request.event?.id);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    const decided = isv.decisions.map((request) => (request.event?.data as { operationId?: string }).operationId);
    expect(new Set(decided).size).toBe(decided.length);
    expect(decided.length).toBeLessThanOrEqual(SUBSCRIPTIONS * 4);
    for (const [type, count] of [['saas.subscription.quantity_changed', SUBSCRIPTIONS * 2], ['saas.subscription.suspended', SUBSCRIPTIONS * 2], ['saas.subscription.reinstated', SUBSCRIPTIONS * 2], ['saas.subscription.renewed', SUBSCRIPTIONS * 2]] as const) {
      expect(isv.eventsOfType(type)).toHaveLength(count);
    }
  }, 420_000);

  it('activates a purchase once when the buyer lands on both hosts at once', async () => {
    // Prepare
    const purchases = await Promise.all(
      Array.from({ length: 10 }, () => controlAt<{ subscriptionId: string; token: string }>(stack.emulator.url, '/purchases', { body: { offerId: 'contoso-seats', planId: 'team', quantity: 3 } })),
    );
    const spy = await controlAt<{ id: string }>(stack.emulator.url, '/faults', { body: { kind: 'http', method: 'POST', path: '/api/saas/subscriptions/*/activate', latencyMs: 0 } });
    const stores = localStores(addresses);

    // Act
    await Promise.all(
      purchases.flatMap(({ token }) => [stack.hostUrl, second.url].map((host) => fetch(`${host}/api/landing?token=${encodeURIComponent(token)}`).then((r) => r.arrayBuffer()))),
    );
    for (const { subscriptionId } of purchases) {
      await eventually(`${subscriptionId} active here`, async () => ((await stores.subscriptions.get(subscriptionId))?.value.status === 'Subscribed' ? true : undefined), 60_000, 200);
    }

    // Assess
    const { log } = await controlAt<{ log: Array<{ ruleId: string }> }>(stack.emulator.url, '/faults');
    expect(log.filter((entry) => entry.ruleId === spy.id)).toHaveLength(purchases.length);
    for (const { subscriptionId } of purchases) {
      const provisions = isv.eventsOfType('saas.subscription.provision').filter((request) => request.event?.subject === subscriptionId);
      const activated = isv.eventsOfType('saas.subscription.activated').filter((request) => request.event?.subject === subscriptionId);
      expect([provisions.length, activated.length]).toEqual([1, 1]);
    }
    await controlAt(stack.emulator.url, `/faults/${spy.id}`, { method: 'DELETE' });
  }, 120_000);

  it('applies a publisher change made through one host once, whichever host tracks it', async () => {
    // Prepare
    const stores = localStores(addresses);
    const ids: string[] = [];
    for (let i = 0; i < 10; i += 1) ids.push(await subscribedSubscription(addresses, { offerId: 'contoso-seats', planId: 'team', quantity: 5 }, stores));

    // Act
    const locations = await Promise.all(
      ids.map(async (id, index) => {
        const host = index % 2 === 0 ? stack.hostUrl : second.url;
        const response = await fetch(`${host}/api/subscriptions/${id}/quantity`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ quantity: 9 }) });
        expect(response.status).toBe(202);
        return response.headers.get('location') ?? '';
      }),
    );
    const finals = await Promise.all(
      locations.map((location) =>
        eventually(`${location} polled`, async () => {
          const row = (await stores.operations.get(location.split('/').pop() ?? ''))?.value;
          return row !== undefined && (row.state === 'Completed' || row.state === 'Failed') ? row : undefined;
        }, 60_000, 250),
      ),
    );

    // Assess
    expect(finals.map((row) => row.state)).toEqual(ids.map(() => 'Completed'));
    for (const id of ids) {
      expect((await stores.subscriptions.get(id))?.value.quantity).toBe(9);
      const changes = (await stores.history.list(id, { limit: 100 })).items.filter((entry) => entry.kind === 'QuantityChanged');
      expect(changes.map((entry) => entry.to)).toEqual([9]);
      expect(isv.eventsOfType('saas.subscription.quantity_changed').filter((request) => request.event?.subject === id)).toHaveLength(1);
    }
  }, 120_000);
});
