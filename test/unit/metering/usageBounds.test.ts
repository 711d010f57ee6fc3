import { MAX_USAGE_QUANTITY, QuantitySum, quantityProblem, sumQuantities } from '../../../shared/metering/quantity';
import { OTHER_SUBSCRIPTION_ID, SUBSCRIPTION_ID, bucketKey, buildRecord } from './support/builders';
import { meteringRig, wire } from './support/rig';

const HOUR_10 = '2025-03-10T10:00:00.000Z';

async function rigAt1030() {
  return meteringRig({ now: '2025-03-10T10:30:00.000Z' });
}

describe('usage quantity bounds', () => {
  it.each([
    ['1e308', 1e308, /above 1,000,000,000/],
    ['5e15 + 1', 5e15 + 1, /above 1,000,000,000/],
    ['just over the bound', MAX_USAGE_QUANTITY + 0.5, /above 1,000,000,000/],
    ['seven decimals', 1.0000001, /more than 6 decimals/],
    ['zero', 0, /greater than 0/],
  ])('refuses a record of %s with invalid-quantity and a reason', async (_case, quantity, reason) => {
    // Prepare
    const rig = await rigAt1030();

    // Act
    const report = await rig.ingestion.ingest([wire({ id: 'big', quantity })]);

    // Assess
    expect(report.rejected).toBe(1);
    expect(report.results[0]).toMatchObject({ status: 'rejected', reason: { code: 'invalid-quantity', message: expect.stringMatching(reason) } });
  });

  it('accepts a record of exactly the bound and one with six decimals', async () => {
    // Prepare
    const rig = await rigAt1030();

    // Act
    const report = await rig.ingestion.ingest([wire({ id: 'max', quantity: MAX_USAGE_QUANTITY }), wire({ id: 'fine', quantity: 0.000001, dimension: 'storage-gb' })]);

    // Assess
    expect(report).toMatchObject({ accepted: 2, rejected: 0 });
  });

  it("refuses the record that would take one request's total for an hour past the bound, keeping the others", async () => {
    // Prepare
    const rig = await rigAt1030();
    const records = [
      wire({ id: 'a', quantity: 600_000_000 }),
      wire({ id: 'b', quantity: 600_000_000 }),
      wire({ id: 'c', quantity: 400_000_000 }),
      wire({ id: 'other-dimension', quantity: 600_000_000, dimension: 'storage-gb' }),
    ];

    // Act
    const report = await rig.ingestion.ingest(records);

    // Assess
    expect(report.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted', 'accepted']);
    expect(report.results[1]).toMatchObject({
      reason: { code: 'hour-total-too-large', message: expect.stringContaining('more than 1,000,000,000 units in this request (600000000 before it)') },
    });
  });

  it('sums fractional quantities exactly: 0.1 + 0.2 is sent as 0.3, and 1e15-sized sums never round', async () => {
    // Prepare
    const rig = await rigAt1030();
    await rig.ingestion.ingest([wire({ id: 'a', quantity: 0.1 }), wire({ id: 'b', quantity: 0.2 }), wire({ id: 'c', quantity: 999_999_999.3, dimension: 'storage-gb' }), wire({ id: 'd', quantity: 0.4, dimension: 'storage-gb' })]);
    rig.clock.set('2025-03-10T11:10:00.000Z');

    // Act
    await rig.emit();

    // Assess
    const sent = Object.fromEntries(rig.metering.received.map((event) => [event.dimension, event.quantity]));
    expect(sent).toEqual({ 'api-calls': 0.3, 'storage-gb': 999_999_999.7 });
  });

  it('does not send an hour whose stored total is above the bound, says why, and still sends every other hour of the run', async () => {
    // Prepare: records stored before the bound existed (straight into the store), plus a normal hour
    const rig = await rigAt1030();
    await rig.ingestion.ingest([wire({ id: 'seed', quantity: 1 }), wire({ id: 'other', subscriptionId: OTHER_SUBSCRIPTION_ID, quantity: 4 })]);
    await rig.usage.appendRecords([buildRecord('legacy-1', { quantity: 1e308 }), buildRecord('legacy-2', { quantity: 1e308 })], { path: 'closed' });
    rig.clock.set('2025-03-10T11:10:00.000Z');

    // Act
    const report = await rig.emit();

    // Assess
    expect(report).toMatchObject({ emitted: 1, rejected: 1, failed: 0 });
    expect(rig.metering.received).toEqual([expect.objectContaining({ resourceId: OTHER_SUBSCRIPTION_ID, quantity: 4 })]);
    expect((await rig.usage.getBucket(bucketKey()))?.value).toMatchObject({
      state: 'Rejected',
      marketplaceStatus: 'InvalidQuantity',
      lastError: { code: 'QuantityTooLarge', message: expect.stringContaining('the most one usage event can report') },
    });
  });

  it('keeps going when one hour cannot be handled: the others are sent, the failure is counted and retried later', async () => {
    // Prepare
    const rig = await rigAt1030();
    await rig.ingestion.ingest([wire({ id: 'a', quantity: 1 }), wire({ id: 'b', subscriptionId: OTHER_SUBSCRIPTION_ID, quantity: 2 })]);
    rig.clock.set('2025-03-10T11:10:00.000Z');
    const update = rig.usage.updateBucket.bind(rig.usage);
    rig.usage.updateBucket = (bucket, etag) =>
      bucket.subscriptionId === SUBSCRIPTION_ID && bucket.state !== 'Emitting' ? Promise.reject(new Error('storage refused the row')) : update(bucket, etag);

    // Act
    const report = await rig.emit();

    // Assess
    expect(report).toMatchObject({ emitted: 1, failed: 1 });
    expect(rig.metering.received.map((e) => e.resourceId).sort()).toEqual([OTHER_SUBSCRIPTION_ID, SUBSCRIPTION_ID].sort());
    expect((await rig.usage.getBucket(bucketKey({ subscriptionId: OTHER_SUBSCRIPTION_ID })))?.value.state).toBe('Emitted');
    expect((await rig.usage.getBucket(bucketKey()))?.value).toMatchObject({ state: 'Emitting', hour: HOUR_10 });
  });
});

describe('QuantitySum', () => {
  it('adds in any order to the same exact decimal, and knows when it passes the bound', () => {
    // Act
    const forward = sumQuantities(0.1, 0.2, 0.3, 5_000_000.000001);
    const backward = sumQuantities(5_000_000.000001, 0.3, 0.2, 0.1);
    const over = new QuantitySum().add(MAX_USAGE_QUANTITY).add(0.000001);
    const infinite = new QuantitySum().add(Number.POSITIVE_INFINITY);

    // Assess
    expect(forward).toBe(5_000_000.600001);
    expect(backward).toBe(forward);
    expect(over.exceedsBound()).toBe(true);
    expect(infinite.exceedsBound()).toBe(true);
    expect(infinite.value()).toBe(Number.POSITIVE_INFINITY);
    expect(quantityProblem(MAX_USAGE_QUANTITY)).toBeUndefined();
    expect(sumQuantities(1, -0.25)).toBe(0.75);
  });
});
