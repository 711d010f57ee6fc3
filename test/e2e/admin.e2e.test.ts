import { e2eStack, fireAction, hostFetch, marketplaceSubscription, waitFor } from './harness';
import { controlAt, emulatorDetail, localStores, subscribedSubscription, type StackAddresses } from './webhookFlows';

/**
 * The admin API on the shared local stack (no keys configured there; see reconcile.e2e for keys):
 * listing, detail, and publisher-initiated changes tracked to the end. Faults used here are scoped
 * to one subscription's path, so they cannot touch other test files' traffic.
 */
function stack(): StackAddresses {
  const { emulatorUrl, emulatorApiUrl, storageConnectionString, settings } = e2eStack();
  return { emulatorUrl, emulatorApiUrl, storageConnectionString, settings };
}

interface OperationStatus {
  id: string;
  state: string;
  done: boolean;
  marketplaceStatus?: string;
  marketplaceOperationId?: string;
  localOutcome?: string;
  polls?: number;
  error?: { code: string; message: string };
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const post = (path: string, body?: unknown): Promise<Response> =>
  hostFetch(path, { method: 'POST', headers: body === undefined ? {} : JSON_HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
const getJson = async <T>(path: string): Promise<T> => (await hostFetch(path)).json() as Promise<T>;

/** Follows the status URL until the request is final (the first poll waits Microsoft's Retry-After: 10 s). */
function finalStatus(location: string): Promise<OperationStatus> {
  return waitFor(`publisher request ${location} final`, async () => {
    const status = await getJson<OperationStatus>(location);
    return status.done ? status : undefined;
  }, { timeoutMs: 45_000, intervalMs: 500 });
}

async function addFault(rule: Record<string, unknown>): Promise<{ id: string }> {
  return controlAt<{ id: string }>(stack().emulatorUrl, '/faults', { body: rule });
}

async function faultApplications(id: string): Promise<number> {
  const { log } = await controlAt<{ log: Array<{ ruleId: string }> }>(stack().emulatorUrl, '/faults');
  return log.filter((entry) => entry.ruleId === id).length;
}

describe('admin API on the local stack', () => {
  const stores = localStores(stack());

  it('lists stored subscriptions by offer and status, following continuation tokens to the end', async () => {
    // Prepare
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push(await subscribedSubscription(stack(), { offerId: 'contoso-seats', planId: 'team', quantity: 3 }, stores));

    // Act
    const seen: string[] = [];
    let next: string | undefined = '/api/subscriptions?offerId=contoso-seats&status=Subscribed&pageSize=2';
    while (next !== undefined) {
      const page: { items: Array<{ id: string; offerId: string; status: string }>; nextLink?: string } = await getJson(next);
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.items.every((item) => item.offerId === 'contoso-seats' && item.status === 'Subscribed')).toBe(true);
      seen.push(...page.items.map((item) => item.id));
      next = page.nextLink;
    }

    // Assess
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('shows a subscription with its offer’s plans and its history', async () => {
    // Prepare
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-seats', planId: 'team', quantity: 3 }, stores);

    // Act
    const response = await hostFetch(`/api/subscriptions/${id}`);

    // Assess
    expect(response.status).toBe(200);
    const detail = (await response.json()) as { subscription: { id: string }; plans: Array<{ offerId: string; planId: string; current: boolean }>; history: { items: unknown[] } };
    expect(detail.subscription.id).toBe(id);
    expect(detail.plans.map((plan) => [plan.offerId, plan.planId, plan.current])).toEqual([
      ['contoso-seats', 'business', false],
      ['contoso-seats', 'team', true],
    ]);
    expect(Array.isArray(detail.history.items)).toBe(true);
  });

  it('changes the plan: 202 with a status URL, Succeeded, and the record changed exactly once though both the webhook and the poll saw it', async () => {
    // Prepare
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-seats', planId: 'team', quantity: 12 }, stores);

    // Act
    const response = await post(`/api/subscriptions/${id}/plan`, { planId: 'business' });
    const location = response.headers.get('location') ?? '';
    const final = await finalStatus(location);

    // Assess
    expect(response.status).toBe(202);
    expect(location).toMatch(/^\/api\/operations\/[0-9a-f-]{36}$/);
    // The webhook came first (about 1 s after the PATCH; the first poll waits 10 s): the status says so at once.
    expect(final).toMatchObject({ state: 'Completed', marketplaceStatus: 'Succeeded', localOutcome: 'appliedByWebhook', polls: 0 });
    expect((await stores.operations.get(final.marketplaceOperationId ?? ''))?.value.state).toBe('Completed');
    expect((await stores.subscriptions.get(id))?.value.planId).toBe('business');
    const changes = (await stores.history.list(id, { limit: 100 })).items.filter((entry) => entry.kind === 'PlanChanged');
    expect(changes).toEqual([expect.objectContaining({ operationId: final.marketplaceOperationId, from: 'team', to: 'business' })]);
  }, 60_000);

  it('keeps a newer marketplace change when the publisher change\'s poll completes later, and reads final as soon as the webhook applied it (#13 item 7, #14 item 4)', async () => {
    // Prepare: seats 20 from the admin API.
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-seats', planId: 'team', quantity: 12 }, stores);
    const requested = Date.now();
    const response = await post(`/api/subscriptions/${id}/quantity`, { quantity: 20 });
    const location = response.headers.get('location') ?? '';
    const requestId = location.split('/').pop() ?? '';
    await waitFor('record at 20 seats', async () => ((await stores.subscriptions.get(id))?.value.quantity === 20 ? true : undefined), { timeoutMs: 8_000, intervalMs: 100 });
    // The status is final once the webhook applied it, long before the tracker's first poll (Retry-After 10 s).
    const early = await finalStatus(location);
    const earlyMs = Date.now() - requested;
    const rowAtThatTime = (await stores.operations.get(requestId))?.value;

    // Act: the buyer changes the seats to 3 at Microsoft; then the tracker's poll of the 20-seat change completes.
    await fireAction(id, 'ChangeQuantity', { quantity: 3 });
    await waitFor('record at 3 seats', async () => ((await stores.subscriptions.get(id))?.value.quantity === 3 ? true : undefined), { timeoutMs: 8_000, intervalMs: 100 });
    const polled = await waitFor('tracker poll done', async () => {
      const row = (await stores.operations.get(requestId))?.value;
      return row !== undefined && (row.state === 'Completed' || row.state === 'Failed') ? row : undefined;
    }, { timeoutMs: 45_000, intervalMs: 250 });

    // Assess
    expect(response.status).toBe(202);
    expect(early).toMatchObject({ state: 'Completed', done: true, marketplaceStatus: 'Succeeded', localOutcome: 'appliedByWebhook', polls: 0 });
    expect(earlyMs).toBeLessThan(10_000);
    expect(rowAtThatTime?.state).toBe('Queued');
    expect(polled.state).toBe('Completed');
    expect(polled.payload).toContain('superseded: Microsoft now reports 3 seats');
    expect((await marketplaceSubscription(id)).quantity).toBe(3);
    expect((await stores.subscriptions.get(id))?.value.quantity).toBe(3);
    const seats = (await stores.history.list(id, { limit: 100 })).items.filter((entry) => entry.kind === 'QuantityChanged').map((entry) => entry.to);
    expect(seats).toEqual([3, 20]);
  }, 60_000);

  it('refuses a change Microsoft would refuse with 400 and the reason, without calling Microsoft', async () => {
    // Prepare
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-seats', planId: 'team', quantity: 5 }, stores);
    const spy = await addFault({ kind: 'http', method: 'PATCH', path: `/api/saas/subscriptions/${id}`, latencyMs: 0 });

    // Act
    const response = await post(`/api/subscriptions/${id}/plan`, { planId: 'business' });

    // Assess
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { issues: string[] } } };
    expect(body.error.code).toBe('ValidationFailed');
    expect(body.error.details.issues).toEqual(['planId: plan business allows 10–500 seats and the subscription has 5; change the seats first']);
    expect(await faultApplications(spy.id)).toBe(0);
    expect((await emulatorDetail(stack(), id)).operations).toEqual([]);
    await controlAt(stack().emulatorUrl, `/faults/${spy.id}`, { method: 'DELETE' });
  });

  it('passes Microsoft’s 409 on (another change pending) and its status URL explains it', async () => {
    // Prepare
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-seats', planId: 'team', quantity: 10 }, stores);
    const first = await post(`/api/subscriptions/${id}/quantity`, { quantity: 20 });

    // Act
    const second = await post(`/api/subscriptions/${id}/quantity`, { quantity: 30 });
    const status = await getJson<OperationStatus>(second.headers.get('location') ?? '');

    // Assess
    expect(first.status).toBe(202);
    expect(second.status).toBe(409);
    expect(status).toMatchObject({ state: 'Failed', done: true, marketplaceStatus: 'HTTP 409', error: { code: 'MarketplaceRefused' } });
    expect(status.error?.message).toMatch(/^Microsoft refused the ChangeQuantity request with HTTP 409 \(Conflict: Operation .* is still (NotStarted|InProgress)/);
  });

  it('records Microsoft’s 400 in the status URL', async () => {
    // Prepare
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-seats', planId: 'team', quantity: 10 }, stores);
    const fault = await addFault({ kind: 'http', method: 'PATCH', path: `/api/saas/subscriptions/${id}`, status: 400, times: 1 });

    // Act
    const response = await post(`/api/subscriptions/${id}/quantity`, { quantity: 11 });
    const status = await getJson<OperationStatus>(response.headers.get('location') ?? '');

    // Assess
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('MarketplaceRefused');
    expect(status).toMatchObject({ state: 'Failed', error: { code: 'MarketplaceRefused', message: expect.stringContaining('HTTP 400') } });
    expect(await faultApplications(fault.id)).toBe(1);
    expect((await stores.subscriptions.get(id))?.value.quantity).toBe(10);
  });

  it('cancels: the record becomes Unsubscribed once, and the status URL says Completed', async () => {
    // Prepare
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-analytics', planId: 'starter' }, stores);

    // Act
    const response = await post(`/api/subscriptions/${id}/cancel`);
    const final = await finalStatus(response.headers.get('location') ?? '');

    // Assess
    expect(response.status).toBe(202);
    expect(final).toMatchObject({ state: 'Completed', marketplaceStatus: 'Succeeded' });
    expect((await stores.subscriptions.get(id))?.value.status).toBe('Unsubscribed');
    const changes = (await stores.history.list(id, { limit: 100 })).items.filter((entry) => entry.kind === 'StatusChanged' && entry.to === 'Unsubscribed');
    expect(changes).toHaveLength(1);
  }, 60_000);

  it('serves its OpenAPI description', async () => {
    // Act
    const response = await hostFetch('/api/openapi.json');

    // Assess
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.0.3');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/subscriptions', '/subscriptions/{subscriptionId}/plan', '/operations/{operationId}', '/reconcile']));
  });
});
