import path from 'node:path';
import { startStack, type RunningStack } from '../../dev/stack';
import { FAST_QUEUE_ARGS } from './support/landingStack';
import { controlAt, emulatorDetail, eventually, localStores, marketplaceToken, subscribedSubscription, type StackAddresses } from './webhookFlows';

/**
 * Reconciliation, and the admin API's keys, on a stack of its own: reconciliation reads every
 * subscription of the emulator and the faults here (dropped and held webhooks) are global, so
 * neither may meet other test files' traffic. Keys are configured, as in Azure.
 */
const MASTER_KEY = 'e2e-master-key-0123456789';
const FUNCTION_KEY = 'e2e-function-key-0123456789';
const ACK_WINDOW_MS = 60_000;

interface ReconcileReport {
  seen: number;
  unchanged: number;
  repaired: number;
  imported: number;
  failed: number;
  drift: Record<string, number>;
  operationsRecovered: number;
  tableWrites: { subscriptions: number; history: number; operations: number };
}

let running: RunningStack;
let stack: StackAddresses;

beforeAll(async () => {
  running = await startStack({
    appDir: path.resolve(__dirname, '..', '..'),
    hostPort: 0,
    emulatorPort: 0,
    authorityPort: 0,
    ackWindowMs: ACK_WINDOW_MS,
    settingsOverrides: { FUNCTIONS_MASTER_KEY: MASTER_KEY, FUNCTIONS_FUNCTION_KEY: FUNCTION_KEY, RECONCILE_EVERY_HOURS: '0' },
    hostArgs: FAST_QUEUE_ARGS,
  });
  stack = { emulatorUrl: running.emulator.url, emulatorApiUrl: running.emulator.apiBaseUrl, storageConnectionString: running.azurite.connectionString, settings: running.settings };
}, 60_000);

afterAll(async () => {
  await running?.stop();
});

const host = (pathAndQuery: string, init: RequestInit = {}): Promise<Response> => fetch(`${running.hostUrl}${pathAndQuery}`, init);
const withKey = (init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string>), 'x-functions-key': FUNCTION_KEY } });

async function reconcile(): Promise<ReconcileReport> {
  const response = await host('/api/reconcile', withKey({ method: 'POST' }));
  if (response.status !== 200) throw new Error(`reconcile answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ReconcileReport;
}

/** Bought and activated at the marketplace, never seen by this app (no landing page visit). */
async function activatedElsewhere(input: { offerId: string; planId: string }): Promise<string> {
  const { subscriptionId } = await controlAt<{ subscriptionId: string }>(stack.emulatorUrl, '/purchases', { body: input });
  const response = await fetch(`${stack.emulatorApiUrl}/saas/subscriptions/${subscriptionId}/activate?api-version=2018-08-31`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await marketplaceToken(stack)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ planId: input.planId }),
  });
  if (!response.ok) throw new Error(`activate answered ${response.status}`);
  return subscriptionId;
}

describe('reconciliation on the local stack', () => {
  it('repairs drift seeded in Table Storage and in the emulator, imports what is missing and processes an undelivered operation, in one run', async () => {
    // Prepare: drift on our side
    const stores = localStores(stack);
    const drift = async (id: string, change: (record: Record<string, unknown>) => void): Promise<void> => {
      const current = await stores.subscriptions.get(id);
      if (current === undefined) throw new Error(`no record ${id}`);
      const record = structuredClone(current.value) as unknown as Record<string, unknown>;
      change(record);
      await stores.subscriptions.update(record as never, current.etag);
    };
    const clean = await subscribedSubscription(stack, { offerId: 'contoso-analytics', planId: 'starter' }, stores);
    const statusDrift = await subscribedSubscription(stack, { offerId: 'contoso-analytics', planId: 'starter' }, stores);
    await drift(statusDrift, (record) => (record.status = 'Suspended'));
    const planDrift = await subscribedSubscription(stack, { offerId: 'contoso-seats', planId: 'team', quantity: 10 }, stores);
    await drift(planDrift, (record) => (record.planId = 'business'));
    const seatsDrift = await subscribedSubscription(stack, { offerId: 'contoso-seats', planId: 'team', quantity: 10 }, stores);
    await drift(seatsDrift, (record) => (record.quantity = 4));
    const missing = await activatedElsewhere({ offerId: 'contoso-analytics', planId: 'professional' });
    // … and on Microsoft's: a Suspend whose webhook was dropped, a ChangePlan whose webhook was dropped (InProgress for a minute)
    const suspended = await subscribedSubscription(stack, { offerId: 'contoso-analytics', planId: 'starter' }, stores);
    const undelivered = await subscribedSubscription(stack, { offerId: 'contoso-seats', planId: 'team', quantity: 10 }, stores);
    await controlAt(stack.emulatorUrl, '/faults', { body: { kind: 'webhook', effect: 'drop', action: 'Suspend', times: 1 } });
    await controlAt(stack.emulatorUrl, '/faults', { body: { kind: 'webhook', effect: 'drop', action: 'ChangePlan', times: 1 } });
    await controlAt(stack.emulatorUrl, `/subscriptions/${suspended}/actions`, { body: { action: 'Suspend' } });
    const change = await controlAt<{ id: string }>(stack.emulatorUrl, `/subscriptions/${undelivered}/actions`, { body: { action: 'ChangePlan', planId: 'business' } });
    const cleanEtag = (await stores.subscriptions.get(clean))?.etag;

    // Act
    const report = await reconcile();

    // Assess: one write per drifted or missing row, nothing else written; each repair also takes the
    // subscription lease (one insert into the record's partition), which the record's write releases
    expect(report).toMatchObject({ seen: 7, repaired: 4, imported: 1, unchanged: 2, failed: 0, operationsRecovered: 1, drift: { status: 2, planId: 1, quantity: 1 } });
    expect(report.tableWrites.subscriptions).toBe(4 * 2 + 1);
    for (const id of [statusDrift, planDrift, seatsDrift, suspended]) {
      const truth = (await emulatorDetail(stack, id)).subscription;
      const stored = (await stores.subscriptions.get(id))?.value;
      expect([stored?.status, stored?.planId, stored?.quantity]).toEqual([truth.saasSubscriptionStatus, truth.planId, truth.quantity]);
      expect((await stores.history.list(id, { limit: 50 })).items.map((entry) => entry.kind)).toContain('Drift');
    }
    expect((await stores.subscriptions.get(suspended))?.value.status).toBe('Suspended');
    expect((await stores.subscriptions.get(missing))?.value).toMatchObject({ status: 'Subscribed', planId: 'professional' });
    expect((await stores.subscriptions.get(clean))?.etag).toBe(cleanEtag);
    // The undelivered ChangePlan went through the webhook's processing: acknowledged long before Microsoft's window closed
    await eventually('the recovered ChangePlan applied', async () => ((await stores.subscriptions.get(undelivered))?.value.planId === 'business' ? true : undefined));
    const operation = (await emulatorDetail(stack, undelivered)).operations.find((op) => op.id === change.id);
    expect(operation?.status).toBe('Succeeded');
    expect((await stores.operations.get(change.id))?.value.state).toBe('Completed');

    // A second run finds nothing left to repair
    const second = await reconcile();
    expect(second).toMatchObject({ seen: 7, repaired: 0, imported: 0, operationsRecovered: 0, tableWrites: { subscriptions: 0, history: 0, operations: 0 } });
  }, 90_000);

  it('applies a publisher plan change once when the poll sees it before the (held) webhook', async () => {
    // Prepare
    const stores = localStores(stack);
    const id = await subscribedSubscription(stack, { offerId: 'contoso-seats', planId: 'team', quantity: 12 }, stores);
    await controlAt(stack.emulatorUrl, '/config', { method: 'PUT', body: { ackWindowMs: 2_000 } });
    await controlAt(stack.emulatorUrl, '/faults', { body: { kind: 'webhook', effect: 'hold', action: 'ChangePlan', times: 1, holdMs: 600_000 } });

    try {
      // Act: Microsoft accepts the change on its own after the window; the poll finds it Succeeded
      const response = await host(`/api/subscriptions/${id}/plan`, withKey({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ planId: 'business' }) }));
      const location = response.headers.get('location') ?? '';
      const final = await eventually('the request final', async () => {
        const status = (await (await host(location, withKey())).json()) as { done: boolean; localOutcome?: string; marketplaceOperationId?: string };
        return status.done ? status : undefined;
      }, 45_000, 500);
      await controlAt(stack.emulatorUrl, '/deliveries/release', { method: 'POST' });
      await eventually('the late webhook processed', async () => ((await stores.operations.get(final.marketplaceOperationId ?? ''))?.value.state === 'Completed' ? true : undefined));

      // Assess
      expect(response.status).toBe(202);
      expect(final.localOutcome).toBe('applied');
      expect((await stores.subscriptions.get(id))?.value.planId).toBe('business');
      const changes = (await stores.history.list(id, { limit: 100 })).items.filter((entry) => entry.kind === 'PlanChanged');
      expect(changes).toEqual([expect.objectContaining({ operationId: final.marketplaceOperationId })]);
    } finally {
      await controlAt(stack.emulatorUrl, '/config', { method: 'PUT', body: { ackWindowMs: ACK_WINDOW_MS } });
    }
  }, 90_000);
});

describe('admin API keys on the local host', () => {
  const SUBSCRIPTION = '37f9dea2-4345-438f-b0bd-03d40d28c7e0';

  it.each([
    ['GET', '/api/subscriptions'],
    ['GET', `/api/subscriptions/${SUBSCRIPTION}`],
    ['POST', `/api/subscriptions/${SUBSCRIPTION}/plan`],
    ['POST', `/api/subscriptions/${SUBSCRIPTION}/quantity`],
    ['POST', `/api/subscriptions/${SUBSCRIPTION}/cancel`],
    ['GET', '/api/operations/9d1c3c2e-8a51-4d8b-9d0e-000000000001'],
    ['POST', '/api/reconcile'],
    ['GET', '/api/openapi.json'],
  ])('answers 401 to %s %s without a key, and to a wrong key', async (method, route) => {
    // Act
    const missing = await host(route, { method });
    const wrong = await host(route, { method, headers: { 'x-functions-key': 'not-the-key' } });

    // Assess
    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
  });

  it('lets the function key in, as a header or as ?code=, and the master key too', async () => {
    // Act
    const header = await host('/api/subscriptions?pageSize=1', withKey());
    const query = await host(`/api/subscriptions?pageSize=1&code=${FUNCTION_KEY}`);
    const master = await host('/api/openapi.json', { headers: { 'x-functions-key': MASTER_KEY } });

    // Assess
    expect([header.status, query.status, master.status]).toEqual([200, 200, 200]);
  });

  it('keeps the anonymous endpoints open', async () => {
    // Act
    const health = await host('/api/health');

    // Assess
    expect(health.status).not.toBe(401);
  });
});
