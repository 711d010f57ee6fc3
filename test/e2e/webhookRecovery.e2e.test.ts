import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { startStack, type RunningStack } from '../../dev/stack';
import { encodeQueueMessage } from '../../shared/storage';
import { addressesOf, controlAt, emulatorDetail, eventually, fireAt, localStores, spawnHost, subscribedSubscription, type EmulatorDelivery, type SpawnedHost, type StackAddresses } from './webhookFlows';

const APP_DIR = path.resolve(__dirname, '..', '..');
const MASTER_KEY = 'webhook-recovery-master-key';
const QUEUE_ARGS = ['--visibility-timeout', '00:00:00', '--max-polling-interval', '00:00:00.250', '--max-dequeue-count', '2'];

/**
 * The host that receives the webhooks dies before anything is processed (it serves only the
 * webhook function, then gets SIGKILL while the marketplace keeps sending); a new host with the
 * whole app takes over the same storage. Then the poison queue admin endpoints on that host.
 */
describe('webhook recovery and poison handling', () => {
  let stack: RunningStack;
  let hostB: SpawnedHost | undefined;
  let addresses: StackAddresses;

  beforeAll(async () => {
    stack = await startStack({
      appDir: APP_DIR,
      hostPort: 0,
      emulatorPort: 0,
      authorityPort: 0,
      ackWindowMs: 3_000,
      hostArgs: ['--entry', 'dist/functions/webhook.js', ...QUEUE_ARGS],
    });
    addresses = addressesOf(stack);
  }, 90_000);

  afterAll(async () => {
    await hostB?.stop();
    await stack?.stop();
  });

  const stores = () => localStores(addresses);
  const admin = (pathAndQuery: string, init: RequestInit = {}, key: string | null = MASTER_KEY): Promise<Response> =>
    fetch(`${hostB?.url ?? ''}/api/ops/poison/${pathAndQuery}`, { ...init, headers: { ...(key === null ? {} : { 'x-functions-key': key }), ...init.headers } });

  it('loses nothing when the host is killed between recording and processing', async () => {
    // Prepare
    const ids = await Promise.all(Array.from({ length: 8 }, () => subscribedSubscription(addresses, { offerId: 'contoso-seats', planId: 'team', quantity: 4 })));
    const fired = await Promise.all(ids.map((id, i) => (i % 2 === 0 ? fireAt(addresses, id, 'ChangeQuantity', { quantity: 6 }) : fireAt(addresses, id, 'Suspend'))));
    await eventually('every webhook recorded and queued by the intake-only host', async () => {
      const rows = await Promise.all(fired.map((op) => stores().operations.get(op.id)));
      return rows.every((row) => row?.value.state === 'Received') ? true : undefined;
    });

    // Act: kill it, keep the marketplace talking (these deliveries fail and are retried), restart.
    process.kill(stack.hostPid ?? 0, 'SIGKILL');
    const late = await Promise.all(ids.filter((_id, i) => i % 2 === 1).map((id) => fireAt(addresses, id, 'Unsubscribe')));
    hostB = await spawnHost({ appDir: APP_DIR, settings: stack.settings, caCertPath: stack.emulator.caCertPath, args: QUEUE_ARGS, extraEnv: { FUNCTIONS_MASTER_KEY: MASTER_KEY } });
    await controlAt(addresses.emulatorUrl, '/config', { method: 'PUT', body: { webhookUrl: `${hostB.url}/api/webhook` } });

    // Assess
    await eventually(
      'every operation processed after the restart',
      async () => {
        const rows = await Promise.all([...fired, ...late].map((op) => stores().operations.get(op.id)));
        return rows.every((row) => row?.value.state === 'Completed') ? true : undefined;
      },
      60_000,
      300,
    );
    for (const id of ids) {
      const truth = (await emulatorDetail(addresses, id)).subscription;
      const local = (await stores().subscriptions.get(id))?.value;
      expect({ status: local?.status, quantity: local?.quantity }).toEqual({ status: truth.saasSubscriptionStatus, quantity: truth.quantity });
    }
    const { deliveries } = await controlAt<{ deliveries: EmulatorDelivery[] }>(addresses.emulatorUrl, '/deliveries');
    const duringOutage = deliveries.filter((delivery) => late.some((op) => op.id === delivery.operationId));
    expect(duringOutage.map((delivery) => [delivery.status, delivery.attempts[0]?.status])).toEqual(late.map(() => ['delivered', undefined]));
    expect(ids.map((_id, i) => (i % 2 === 0 ? 'Subscribed' : 'Unsubscribed'))).toEqual(
      await Promise.all(ids.map(async (id) => (await stores().subscriptions.get(id))?.value.status)),
    );
  }, 120_000);

  it('refuses the poison endpoints without the master key', async () => {
    // Act
    const responses = [await admin('operations', {}, null), await admin('operations/replay', { method: 'POST' }, 'wrong-key')];

    // Assess
    expect(responses.map((response) => response.status)).toEqual([401, 401]);
  });

  it('moves a message that keeps failing to the poison queue, lists it decoded, and replays a message once fixed', async () => {
    // Prepare: one message that can never be processed, one valid message parked in the poison queue.
    const queues = QueueServiceClient.fromConnectionString(stack.azurite.connectionString);
    await queues.getQueueClient('operations').sendMessage(encodeQueueMessage({ hello: 'not an operation' }));
    await controlAt(addresses.emulatorUrl, '/config', { method: 'PUT', body: { webhookUrl: null } });
    const id = await subscribedSubscription(addresses, { offerId: 'contoso-analytics', planId: 'starter' });
    const suspend = await fireAt(addresses, id, 'Suspend');
    await controlAt(addresses.emulatorUrl, '/config', { method: 'PUT', body: { webhookUrl: `${hostB?.url ?? ''}/api/webhook` } });
    const poison = queues.getQueueClient('operations-poison');
    await poison.createIfNotExists();
    const parked = await poison.sendMessage(encodeQueueMessage({ v: 1, operationId: suspend.id, subscriptionId: id, action: 'Suspend' }));
    type Listing = { approximateCount: number; messages: Array<{ messageId: string; body?: unknown; dequeueCount: number }> };
    const listing = await eventually('the failing message in the poison queue', async () => {
      const body = (await (await admin('operations')).json()) as Listing;
      return body.messages.some((message) => JSON.stringify(message.body) === JSON.stringify({ hello: 'not an operation' })) ? body : undefined;
    });

    // Act
    const replay = await admin('operations/replay', { method: 'POST', body: JSON.stringify({ messageIds: [parked.messageId] }) });

    // Assess
    expect(listing.messages).toEqual(expect.arrayContaining([expect.objectContaining({ messageId: parked.messageId, body: { v: 1, operationId: suspend.id, subscriptionId: id, action: 'Suspend' } })]));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual(expect.objectContaining({ replayed: [parked.messageId], notFound: [] }));
    await eventually('the replayed operation processed', async () => ((await stores().subscriptions.get(id))?.value.status === 'Suspended' ? true : undefined));
    const after = (await (await admin('operations')).json()) as Listing;
    expect(after.messages.map((message) => message.messageId)).not.toContain(parked.messageId);
    expect(after.messages).toHaveLength(1);
  }, 60_000);
});
