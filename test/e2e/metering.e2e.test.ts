import { e2eStack, fireAction, hostFetch, waitFor } from './harness';
import { closedHour, controlApi, hourIn, marketplaceApi, postUsage, purchaseForMetering, runEmission, usageReport } from './support/meteringSession';

interface EmulatorUsage {
  usageEventId: string;
  quantity: number;
  dimension: string;
  effectiveStartTime: string;
  planId: string;
}

const emulatorUsage = async (subscriptionId: string): Promise<EmulatorUsage[]> =>
  (await controlApi<{ usage: EmulatorUsage[] }>(e2eStack(), `/subscriptions/${subscriptionId}`)).usage;

const FINAL = ['Emitted', 'Duplicate', 'Rejected', 'Empty'];

describe('usage metering end to end (shared stack)', () => {
  jest.setTimeout(60_000);

  it('accepts usage, emits the closed hour once, and shows the accepted event in the admin view', async () => {
    // Prepare
    const stack = e2eStack();
    const subscriptionId = await purchaseForMetering(stack);
    const { hour, at } = closedHour();
    const posted = await postUsage(stack, [
      { subscriptionId, dimension: 'api-calls', quantity: 2.5, timestamp: at(5), id: 'req-1' },
      { subscriptionId, dimension: 'api-calls', quantity: 4, timestamp: at(40), id: 'req-2' },
      { subscriptionId, dimension: 'api-calls', quantity: 2.5, timestamp: at(5), id: 'req-1' },
    ]);

    // Act
    await runEmission(stack);
    const emitted = await waitFor('the hour to be emitted', () => hourIn(stack, subscriptionId, hour, 'api-calls', FINAL));

    // Assess
    expect(posted.status).toBe(200);
    expect(posted.body.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'duplicate']);
    const usage = await emulatorUsage(subscriptionId);
    expect(usage).toEqual([expect.objectContaining({ quantity: 6.5, dimension: 'api-calls', effectiveStartTime: hour, planId: 'starter' })]);
    expect(emitted).toMatchObject({ status: 'Emitted', recordedQuantity: 6.5, sentQuantity: 6.5, billedQuantity: 6.5, unbilledQuantity: 0, usageEventId: usage[0]?.usageEventId, marketplaceStatus: 'Accepted' });
  });

  it('after a cancellation accepts and emits usage from before it, as Microsoft and the emulator do, and refuses usage after it', async () => {
    // Prepare
    const stack = e2eStack();
    const subscriptionId = await purchaseForMetering(stack);
    const { hour, at } = closedHour();
    await fireAction(subscriptionId, 'Unsubscribe');
    await waitFor('the app to apply the cancellation', async () => {
      const detail = (await (await hostFetch(`/api/subscriptions/${subscriptionId}`)).json()) as { subscription?: { status?: string } };
      return detail.subscription?.status === 'Unsubscribed' ? true : undefined;
    });

    // Act
    const posted = await postUsage(stack, [
      { subscriptionId, dimension: 'api-calls', quantity: 3, timestamp: at(10) },
      { subscriptionId, dimension: 'api-calls', quantity: 1, timestamp: new Date(Date.now() + 30_000).toISOString() },
    ]);
    await runEmission(stack);
    const emitted = await waitFor('the hour before the cancellation to be emitted', () => hourIn(stack, subscriptionId, hour, 'api-calls', FINAL));

    // Assess
    expect(posted.body.results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
    expect(posted.body.results[1]?.reason).toMatchObject({ code: 'subscription-not-subscribed', message: expect.stringContaining('only for usage before the cancellation') });
    expect(emitted).toMatchObject({ status: 'Emitted', sentQuantity: 3, marketplaceStatus: 'Accepted' });
    expect(await emulatorUsage(subscriptionId)).toEqual([expect.objectContaining({ quantity: 3, effectiveStartTime: hour })]);
  });

  it('adopts the event the marketplace already holds for the hour instead of billing it twice', async () => {
    // Prepare
    const stack = e2eStack();
    const subscriptionId = await purchaseForMetering(stack);
    const { hour, at } = closedHour();
    const earlier = await marketplaceApi<EmulatorUsage>(stack, '/usageEvent', {
      method: 'POST',
      body: { resourceId: subscriptionId, dimension: 'storage-gb', quantity: 3, effectiveStartTime: hour, planId: 'starter' },
    });
    await postUsage(stack, [{ subscriptionId, dimension: 'storage-gb', quantity: 5, timestamp: at(20), id: 'dup-1' }]);

    // Act
    await runEmission(stack);
    const adopted = await waitFor('the hour to be settled', () => hourIn(stack, subscriptionId, hour, 'storage-gb', FINAL));

    // Assess
    expect(earlier.status).toBe(200);
    expect(adopted).toMatchObject({ status: 'Duplicate', usageEventId: earlier.body.usageEventId, billedQuantity: 3, sentQuantity: 5, recordedQuantity: 5, unbilledQuantity: 2 });
    expect(await emulatorUsage(subscriptionId)).toHaveLength(1);
  });

  it('records each result of a batch with mixed outcomes: one event accepted, one refused for an inactive subscription', async () => {
    // Prepare
    const stack = e2eStack();
    const active = await purchaseForMetering(stack);
    const suspended = await purchaseForMetering(stack);
    const { hour, at } = closedHour();
    const posted = await postUsage(stack, [
      { subscriptionId: active, dimension: 'api-calls', quantity: 1, timestamp: at(1) },
      { subscriptionId: suspended, dimension: 'api-calls', quantity: 7, timestamp: at(2) },
      { subscriptionId: active, dimension: 'emails', quantity: 1, timestamp: at(3) },
    ]);
    await fireAction(suspended, 'Suspend');

    // Act
    await runEmission(stack);
    const accepted = await waitFor('the active hour', () => hourIn(stack, active, hour, 'api-calls', FINAL));
    const refused = await waitFor('the suspended hour', () => hourIn(stack, suspended, hour, 'api-calls', FINAL));

    // Assess
    expect(posted.status).toBe(207);
    expect(posted.body.results.map((r) => `${r.status}${r.reason ? ` ${r.reason.code}` : ''}`)).toEqual(['accepted', 'accepted', 'rejected unknown-dimension']);
    expect(accepted).toMatchObject({ status: 'Emitted', billedQuantity: 1 });
    expect(refused).toMatchObject({ status: 'Rejected', marketplaceStatus: 'ResourceNotActive', unbilledQuantity: 7, lastError: { code: 'ResourceNotActive' } });
    expect(await emulatorUsage(suspended)).toEqual([]);
  });

  it('keeps usage that arrives after its hour was emitted and reports it as unbilled', async () => {
    // Prepare
    const stack = e2eStack();
    const subscriptionId = await purchaseForMetering(stack);
    const { hour, at } = closedHour();
    await postUsage(stack, [{ subscriptionId, dimension: 'api-calls', quantity: 10, timestamp: at(10) }]);
    await runEmission(stack);
    await waitFor('the hour to be emitted', () => hourIn(stack, subscriptionId, hour, 'api-calls', ['Emitted']));

    // Act
    const late = await postUsage(stack, [{ subscriptionId, dimension: 'api-calls', quantity: 1.5, timestamp: at(50), id: 'late-1' }]);
    const report = await usageReport(stack, subscriptionId);

    // Assess
    expect(late.body.results[0]).toMatchObject({ status: 'unbilled', reason: { code: 'hour-already-emitted' } });
    expect(report.hours.find((h) => h.hour === hour)).toMatchObject({ status: 'Emitted', recordedQuantity: 11.5, billedQuantity: 10, unbilledQuantity: 1.5, lateRecords: 1 });
  });

  it('refuses bad input with one clear reason per record and keeps nothing of it', async () => {
    // Prepare
    const stack = e2eStack();
    const subscriptionId = await purchaseForMetering(stack);
    const pending = await purchaseForMetering(stack, { activate: false });
    const now = Date.now();
    const record = (overrides: Record<string, unknown>) => ({ subscriptionId, dimension: 'api-calls', quantity: 1, timestamp: new Date(now - 60_000).toISOString(), ...overrides });

    // Act
    const response = await postUsage(stack, [
      record({ subscriptionId: '00000000-0000-4000-8000-00000000dead' }),
      record({ subscriptionId: pending }),
      record({ dimension: 'emails' }),
      record({ quantity: 0 }),
      record({ timestamp: new Date(now + 3_600_000).toISOString() }),
      record({ timestamp: new Date(now - 23 * 3_600_000).toISOString() }),
      record({ timestamp: 'yesterday' }),
    ]);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.results.map((r) => r.reason?.code)).toEqual([
      'unknown-subscription',
      'subscription-not-subscribed',
      'unknown-dimension',
      'invalid-quantity',
      'timestamp-in-future',
      'timestamp-too-old',
      'invalid-record',
    ]);
    expect(response.body.results.every((r) => (r.reason?.message.length ?? 0) > 20)).toBe(true);
    expect((await usageReport(stack, subscriptionId)).hours).toEqual([]);
  });
});
