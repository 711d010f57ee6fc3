import { randomUUID } from 'node:crypto';
import { e2eStack, hostFetch } from './harness';
import { controlAt, emulatorDetail, eventually, fireAt, localStores, subscribedSubscription, type StackAddresses } from './webhookFlows';

const WINDOW_MS = 4_000; // the shared stack's emulator acknowledgement window

function stack(): StackAddresses {
  const { emulatorUrl, emulatorApiUrl, storageConnectionString, settings } = e2eStack();
  return { emulatorUrl, emulatorApiUrl, storageConnectionString, settings };
}

describe('webhook on the local stack', () => {
  const stores = localStores(stack());

  /** Waits until the operation is finished at the emulator and processed here; returns how long that took. */
  async function settled(subscriptionId: string, operationId: string): Promise<{ status: string; elapsedMs: number }> {
    const started = Date.now();
    const status = await eventually(`operation ${operationId} final at the emulator`, async () => {
      const op = (await emulatorDetail(stack(), subscriptionId)).operations.find((candidate) => candidate.id === operationId);
      return op !== undefined && !['NotStarted', 'InProgress'].includes(op.status) ? op.status : undefined;
    });
    const elapsedMs = Date.now() - started;
    await eventually(`operation ${operationId} processed locally`, async () => {
      const row = (await stores.operations.get(operationId))?.value;
      return row?.state === 'Completed' ? row : undefined;
    });
    return { status, elapsedMs };
  }

  const local = async (id: string) => (await stores.subscriptions.get(id))?.value;

  it('answers 401 to a call without a token and records nothing', async () => {
    // Prepare
    const id = randomUUID();

    // Act
    const response = await hostFetch('/api/webhook', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, subscriptionId: randomUUID(), action: 'Unsubscribe' }) });

    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ details: { reason: 'missing_token' } }) });
    expect(await stores.operations.get(id)).toBeUndefined();
  });

  it('answers 401 to a marketplace token whose signature was tampered with', async () => {
    // Prepare: capture nothing from the emulator; forge with a well-formed RS256 header and garbage signature.
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'unknown' })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ aud: stack().settings.MARKETPLACE_CLIENT_ID, tid: stack().settings.MARKETPLACE_TENANT_ID })).toString('base64url');

    // Act
    const response = await hostFetch('/api/webhook', { method: 'POST', headers: { authorization: `Bearer ${header}.${claims}.c2ln` }, body: '{}' });

    // Assess
    expect(response.status).toBe(401);
  });

  it('takes a subscription through every action the emulator fires, acknowledging changes inside the window', async () => {
    // Prepare
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-seats', planId: 'team', quantity: 12 }, stores);

    // Act + Assess: ChangeQuantity, accepted (the default decision) and PATCHed well before auto-acceptance
    const seats = await fireAt(stack(), id, 'ChangeQuantity', { quantity: 20 });
    const seatsDone = await settled(id, seats.id);
    expect(seatsDone.status).toBe('Succeeded');
    expect(seatsDone.elapsedMs).toBeLessThan(WINDOW_MS);
    expect((await local(id))?.quantity).toBe(20);

    // ChangePlan
    const plan = await fireAt(stack(), id, 'ChangePlan', { planId: 'business' });
    const planDone = await settled(id, plan.id);
    expect(planDone.status).toBe('Succeeded');
    expect(planDone.elapsedMs).toBeLessThan(WINDOW_MS);
    expect((await local(id))?.planId).toBe('business');

    // Renew: the term dates come from Get Subscription
    const renew = await fireAt(stack(), id, 'Renew');
    await settled(id, renew.id);
    const term = (await emulatorDetail(stack(), id)).subscription.term;
    expect((await local(id))?.term).toEqual(expect.objectContaining({ startDate: term.startDate, endDate: term.endDate }));

    // Suspend, then Reinstate (acknowledged with Success)
    await settled(id, (await fireAt(stack(), id, 'Suspend')).id);
    expect((await local(id))?.status).toBe('Suspended');
    const reinstate = await fireAt(stack(), id, 'Reinstate');
    const reinstated = await settled(id, reinstate.id);
    expect(reinstated).toEqual(expect.objectContaining({ status: 'Succeeded' }));
    expect(reinstated.elapsedMs).toBeLessThan(WINDOW_MS);
    expect((await local(id))?.status).toBe('Subscribed');

    // Unsubscribe: terminal, data kept at least 7 days
    await settled(id, (await fireAt(stack(), id, 'Unsubscribe')).id);
    const last = await local(id);
    expect(last?.status).toBe('Unsubscribed');
    expect(Date.parse(last?.retainUntil ?? '') - Date.now()).toBeGreaterThan(7 * 24 * 3600 * 1000 - 60_000);

    const kinds = (await stores.history.list(id, { limit: 100 })).items.map((entry) => entry.kind);
    expect(kinds.filter((kind) => kind === 'QuantityChanged')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'PlanChanged')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'TermRenewed')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'StatusChanged')).toHaveLength(3);
  });

  it('applies a webhook the emulator delivers twice only once', async () => {
    // Prepare
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-seats', planId: 'team', quantity: 3 }, stores);
    await controlAt(stack().emulatorUrl, '/faults', { body: { kind: 'webhook', effect: 'duplicate', action: 'ChangeQuantity', times: 1 } });

    // Act
    const op = await fireAt(stack(), id, 'ChangeQuantity', { quantity: 4 });
    await settled(id, op.id);

    // Assess
    const detail = await emulatorDetail(stack(), id);
    expect(detail.deliveries.filter((delivery) => delivery.operationId === op.id)).toHaveLength(2);
    await eventually('both deliveries answered', async () => {
      const deliveries = (await emulatorDetail(stack(), id)).deliveries.filter((delivery) => delivery.operationId === op.id);
      return deliveries.every((delivery) => delivery.status === 'delivered') ? deliveries : undefined;
    });
    expect((await local(id))?.quantity).toBe(4);
    const changes = (await stores.history.list(id)).items.filter((entry) => entry.kind === 'QuantityChanged');
    expect(changes).toHaveLength(1);
  });

  it('converges on the marketplace when a Renew arrives after the Suspend that followed it', async () => {
    // Prepare
    const id = await subscribedSubscription(stack(), { offerId: 'contoso-analytics', planId: 'starter' }, stores);
    await controlAt(stack().emulatorUrl, '/faults', { body: { kind: 'webhook', effect: 'hold', action: 'Renew', times: 1, holdMs: 60_000 } });

    // Act
    const renew = await fireAt(stack(), id, 'Renew');
    const suspend = await fireAt(stack(), id, 'Suspend');
    await settled(id, suspend.id);
    await settled(id, renew.id);

    // Assess
    const detail = await emulatorDetail(stack(), id);
    const order = detail.deliveries.map((delivery) => [delivery.action, delivery.attempts[0]?.at ?? '']).sort((a, b) => (a[1] ?? '').localeCompare(b[1] ?? ''));
    expect(order.map(([action]) => action)).toEqual(['Suspend', 'Renew']);
    const record = await local(id);
    expect(record?.status).toBe('Suspended');
    expect(record?.term).toEqual(expect.objectContaining({ startDate: detail.subscription.term.startDate, endDate: detail.subscription.term.endDate }));
  });
});
