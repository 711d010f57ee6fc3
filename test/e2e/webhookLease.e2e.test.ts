import path from 'node:path';
import { startStack, type RunningStack } from '../../dev/stack';
import { startIsvReceiver, type IsvReceiver, type ReceivedIsvRequest } from '../fakes/isvReceiver';
import { controlAt, emulatorDetail, eventually, fireAt, localStores, spawnHost, subscribedSubscription, type SpawnedHost, type StackAddresses } from './webhookFlows';

const SECRET = 'webhook-lease-isv-secret-0123456789abcdef';
const APP_DIR = path.resolve(__dirname, '..', '..');
const QUEUE_ARGS = ['--visibility-timeout', '00:00:01', '--max-polling-interval', '00:00:00.250'];
const WINDOW_MS = 10_000;

/**
 * Issue #13 item 10: a worker killed in the middle of an operation must not hold its subscription
 * for minutes. Host A is killed (SIGKILL) while it tells the ISV about a Renew, holding the
 * subscription's lease; a ChangePlan for the same subscription then reaches host B,
 * which must still ask the ISV inside Microsoft's 10-second window (the ISV refuses it, so the
 * emulator shows Failed; had it waited for a long lease, the window would have closed and
 * Microsoft would have accepted the change: Succeeded).
 */
describe('a dead worker’s subscription lease', () => {
  let stack: RunningStack;
  let isv: IsvReceiver;
  let hostB: SpawnedHost | undefined;
  let addresses: StackAddresses;
  const operationOf = (request: ReceivedIsvRequest): string | undefined => (request.event?.data as { operationId?: string } | undefined)?.operationId;
  let stuck: string | undefined;

  beforeAll(async () => {
    isv = await startIsvReceiver({
      secret: SECRET,
      respond: (request) => {
        if (request.kind === 'decision') return { status: 200, json: { accept: false, reason: 'refused by the test ISV' } };
        return operationOf(request) === stuck ? { hang: true } : { status: 200, json: { received: true } };
      },
    });
    stack = await startStack({
      appDir: APP_DIR,
      hostPort: 0,
      emulatorPort: 0,
      authorityPort: 0,
      ackWindowMs: WINDOW_MS,
      settingsOverrides: { ISV_WEBHOOK_URL: isv.url, ISV_DECISION_URL: isv.url, ISV_WEBHOOK_SECRET: SECRET, ISV_WEBHOOK_TIMEOUT_MS: '15000' },
      hostArgs: QUEUE_ARGS,
    });
    addresses = { emulatorUrl: stack.emulator.url, emulatorApiUrl: stack.emulator.apiBaseUrl, storageConnectionString: stack.azurite.connectionString, settings: stack.settings };
  }, 90_000);

  afterAll(async () => {
    await hostB?.stop();
    await stack?.stop();
    await isv?.close();
  });

  const stores = () => localStores(addresses);

  it('expires within seconds, so that a newer change of the subscription is still decided by the ISV inside the window', async () => {
    // Prepare: host A processes the Renew and tells the ISV, which never answers.
    const id = await subscribedSubscription(addresses, { offerId: 'contoso-seats', planId: 'team', quantity: 12 });
    const first = await fireAt(addresses, id, 'Renew');
    stuck = first.id;
    await eventually('host A telling the ISV about the Renew', () => (isv.events.some((request) => operationOf(request) === first.id) ? true : undefined), 20_000, 50);
    // Host B starts now: host A has the message (invisible to B) and the lease.
    hostB = await spawnHost({ appDir: APP_DIR, settings: stack.settings, caCertPath: stack.emulator.caCertPath, args: QUEUE_ARGS });

    // Act: kill host A mid-operation, send the next change of the same subscription to host B.
    process.kill(stack.hostPid ?? 0, 'SIGKILL');
    const heldByTheDead = await stores().subscriptions.leases.get(id);
    const firstAtKill = (await stores().operations.get(first.id))?.value.state;
    await controlAt(addresses.emulatorUrl, '/config', { method: 'PUT', body: { webhookUrl: `${hostB.url}/api/webhook` } });
    const firedAt = Date.now();
    const second = await fireAt(addresses, id, 'ChangePlan', { planId: 'business' });

    // Assess
    // The worker settles the row only at the end (one merge): until then it stays as the intake wrote it.
    expect(firstAtKill).toBe('Received');
    expect(heldByTheDead).toBeDefined();
    const asked = await eventually('host B asking the ISV about the ChangePlan', () => (isv.decisions.some((request) => operationOf(request) === second.id) ? Date.now() : undefined), 20_000, 50);
    expect(asked - firedAt).toBeLessThan(WINDOW_MS);
    const status = await eventually('the ChangePlan final at the emulator', async () => {
      const op = (await emulatorDetail(addresses, id)).operations.find((candidate) => candidate.id === second.id);
      return op !== undefined && op.status !== 'InProgress' && op.status !== 'NotStarted' ? op.status : undefined;
    }, 30_000);
    expect(status).toBe('Failed');
    await eventually('the ChangePlan processed by host B', async () => ((await stores().operations.get(second.id))?.value.state === 'Completed' ? true : undefined), 20_000);
    expect((await stores().subscriptions.get(id))?.value).toEqual(expect.objectContaining({ planId: 'team', status: 'Subscribed' }));
    expect(await stores().subscriptions.leases.get(id)).toBeUndefined();
    const history = (await stores().history.list(id)).items.filter((entry) => entry.operationId === second.id).map((entry) => entry.kind);
    expect(history).toEqual(['ChangeRefused']);
  }, 120_000);
});
