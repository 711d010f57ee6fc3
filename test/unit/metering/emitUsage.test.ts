import { SUBSCRIPTION_ID, bucketKey } from './support/builders';
import { CLAIM_TIMEOUT_MS, meteringRig, wire } from './support/rig';

const HOUR_10 = '2025-03-10T10:00:00.000Z';

/** A rig at 11:10, one hour after hour 10 closed, with usage recorded during hour 10. */
async function afterHour10(records: Array<Record<string, unknown>> = [wire({ id: 'a', quantity: 2 }), wire({ id: 'b', quantity: 3.5 })]) {
  const rig = await meteringRig({ now: '2025-03-10T10:30:00.000Z' });
  await rig.ingestion.ingest(records);
  rig.clock.set('2025-03-10T11:10:00.000Z');
  return rig;
}

describe('emitUsage', () => {
  it('sends a closed hour’s total once and records the usageEventId Microsoft accepted', async () => {
    // Prepare
    const rig = await afterHour10();

    // Act
    const report = await rig.emit();
    const again = await rig.emit();

    // Assess
    const [event] = [...rig.metering.accepted.values()];
    expect(event).toMatchObject({ resourceId: SUBSCRIPTION_ID, dimension: 'api-calls', hour: HOUR_10, quantity: 5.5, planId: 'starter' });
    expect((await rig.usage.getBucket(bucketKey()))?.value).toMatchObject({ state: 'Emitted', usageEventId: event?.usageEventId, sentQuantity: 5.5, billedQuantity: 5.5, marketplaceStatus: 'Accepted', attempts: 1 });
    expect(report).toMatchObject({ claimed: 1, emitted: 1, marketplaceCalls: 1 });
    expect(again).toMatchObject({ claimed: 0, marketplaceCalls: 0 });
    expect(rig.metering.received).toHaveLength(1);
  });

  it('does not send an hour until it ended at least the settle time ago', async () => {
    // Prepare
    const rig = await afterHour10();
    rig.clock.set('2025-03-10T11:04:59.000Z');

    // Act
    const early = await rig.emit();
    rig.clock.set('2025-03-10T11:05:00.000Z');
    const settled = await rig.emit();

    // Assess
    expect(early).toMatchObject({ throughHour: '2025-03-10T09:00:00.000Z', claimed: 0, marketplaceCalls: 0 });
    expect(settled).toMatchObject({ throughHour: HOUR_10, emitted: 1 });
  });

  it('adopts the event Microsoft already holds for the hour instead of billing twice', async () => {
    // Prepare
    const rig = await afterHour10();
    const original = rig.metering.hold({ resourceId: SUBSCRIPTION_ID, dimension: 'api-calls', hour: HOUR_10, quantity: 5.5, planId: 'starter' });

    // Act
    const report = await rig.emit();

    // Assess
    expect(report.duplicates).toBe(1);
    expect((await rig.usage.getBucket(bucketKey()))?.value).toMatchObject({ state: 'Duplicate', usageEventId: original.usageEventId, billedQuantity: 5.5, sentQuantity: 5.5, marketplaceStatus: 'Duplicate' });
    expect(rig.metering.accepted.size).toBe(1);
  });

  it('records a refused event with Microsoft’s status and never sends it again', async () => {
    // Prepare
    const rig = await afterHour10();
    rig.metering.inactive.add(SUBSCRIPTION_ID);

    // Act
    const report = await rig.emit();
    rig.clock.advance(3_600_000);
    await rig.emit();

    // Assess
    expect(report.rejected).toBe(1);
    expect((await rig.usage.getBucket(bucketKey()))?.value).toMatchObject({ state: 'Rejected', marketplaceStatus: 'ResourceNotActive', billedQuantity: 0, lastError: { code: 'ResourceNotActive', message: 'not Subscribed' } });
    expect(rig.metering.received).toHaveLength(1);
    expect((await rig.usage.listPending({ throughHour: HOUR_10 })).items).toEqual([]);
  });

  it('leaves an hour whose call failed Open with the error, and resends the same total next run', async () => {
    // Prepare
    const rig = await afterHour10();
    rig.metering.failNext('before');

    // Act
    const failed = await rig.emit();
    const failedState = (await rig.usage.getBucket(bucketKey()))?.value;
    const retried = await rig.emit();

    // Assess
    expect(failed).toMatchObject({ retryLater: 1, emitted: 0, marketplaceCalls: 1 });
    expect(failedState).toMatchObject({ state: 'Open', attempts: 1, lastError: { code: 'MarketplaceRequestFailed' } });
    expect(failedState?.claim).toBeUndefined();
    expect(retried).toMatchObject({ emitted: 1 });
    expect(rig.metering.received.map((e) => e.quantity)).toEqual([5.5]);
  });

  it('adopts the original when the answer to an accepted call was lost', async () => {
    // Prepare
    const rig = await afterHour10();
    rig.metering.failNext('after');
    await rig.emit();

    // Act
    const retried = await rig.emit();

    // Assess
    expect(retried.duplicates).toBe(1);
    expect(rig.metering.received.map((e) => e.quantity)).toEqual([5.5, 5.5]);
    expect((await rig.usage.getBucket(bucketKey()))?.value).toMatchObject({ state: 'Duplicate', usageEventId: [...rig.metering.accepted.values()][0]?.usageEventId });
  });

  it('lets only one of two concurrent runs send an hour', async () => {
    // Prepare
    const rig = await afterHour10();

    // Act
    const [first, second] = await Promise.all([rig.emit(), rig.emit()]);

    // Assess
    expect(first.emitted + second.emitted).toBe(1);
    expect(first.busy + second.busy).toBe(1);
    expect(rig.metering.received).toHaveLength(1);
  });

  it('takes over the hours of a run that crashed once its claim has expired', async () => {
    // Prepare
    const rig = await afterHour10();
    const crashing = rig.usage.sumBucket.bind(rig.usage);
    rig.usage.sumBucket = () => Promise.reject(new Error('host killed'));
    expect(await rig.emit()).toMatchObject({ claimed: 1, failed: 1, marketplaceCalls: 0 });
    rig.usage.sumBucket = crashing;

    // Act
    const whileClaimed = await rig.emit();
    rig.clock.advance(CLAIM_TIMEOUT_MS);
    const afterExpiry = await rig.emit();

    // Assess
    expect(whileClaimed).toMatchObject({ busy: 1, marketplaceCalls: 0 });
    expect(afterExpiry).toMatchObject({ emitted: 1 });
    expect((await rig.usage.getBucket(bucketKey()))?.value).toMatchObject({ state: 'Emitted', attempts: 2 });
  });

  it('sends 1,000 hours in 40 calls of 25, oldest hour first', async () => {
    // Prepare: 25 subscriptions × 2 dimensions × 20 hours = 1,000 buckets
    const rig = await meteringRig({ now: '2025-03-10T12:00:00.000Z' });
    const template = (await rig.subscriptions.get(SUBSCRIPTION_ID))!.value;
    const subscriptionIds = Array.from({ length: 25 }, (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
    for (const id of subscriptionIds) await rig.subscriptions.create({ ...template, id });
    const records = subscriptionIds.flatMap((subscriptionId) =>
      Array.from({ length: 20 }, (_, hour) => new Date(Date.parse('2025-03-09T16:00:00Z') + hour * 3_600_000).toISOString()).flatMap((timestamp) =>
        ['api-calls', 'storage-gb'].map((dimension) => wire({ subscriptionId, timestamp, dimension, quantity: 1 })),
      ),
    );
    await rig.ingestion.ingest(records);
    rig.clock.set('2025-03-10T12:10:00.000Z');

    // Act
    const report = await rig.emit();

    // Assess
    expect(report).toMatchObject({ emitted: 1000, marketplaceCalls: 40 });
    expect(rig.metering.accepted.size).toBe(1000);
    const hours = rig.metering.received.map((e) => String(e.effectiveStartTime));
    expect(hours).toEqual([...hours].sort());
    expect(hours[0]).toBe('2025-03-09T16:00:00.000Z');
  });

  it('closes an hour with nothing billable as Empty without calling Microsoft', async () => {
    // Prepare
    const rig = await afterHour10([]);
    await rig.usage.addPending({ ...bucketKey(), offerId: 'contoso-analytics', planId: 'starter' });

    // Act
    const report = await rig.emit();

    // Assess
    expect(report).toMatchObject({ empty: 1, marketplaceCalls: 0 });
    expect((await rig.usage.getBucket(bucketKey()))?.value).toMatchObject({ state: 'Empty', offerId: 'contoso-analytics', planId: 'starter' });
  });

  it('does not send an hour that can no longer be emitted within 24 hours, and says why', async () => {
    // Prepare
    const rig = await afterHour10();
    rig.clock.set('2025-03-11T10:00:00.000Z');

    // Act
    const report = await rig.emit();

    // Assess
    expect(report).toMatchObject({ rejected: 1, marketplaceCalls: 0 });
    expect((await rig.usage.getBucket(bucketKey()))?.value).toMatchObject({ state: 'Rejected', marketplaceStatus: 'Expired', lastError: { code: 'Expired' } });
  });

  it('stops taking new hours when its time budget is spent, oldest hours first', async () => {
    // Prepare
    const rig = await afterHour10();

    // Act
    const report = await rig.emit({ timeBudgetMs: -1 });

    // Assess
    expect(report).toMatchObject({ stoppedEarly: true, claimed: 0 });
  });
});
