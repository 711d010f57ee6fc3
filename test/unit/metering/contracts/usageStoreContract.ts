import { fixedClock, type Clock } from '../../../../shared/clock';
import { AlreadyExistsError, ConcurrencyConflictError, DependencyUnavailableError, NotFoundError } from '../../../../shared/errors';
import type { AppendMode } from '../../../../shared/metering/model';
import type { UsageStore } from '../../../../shared/metering/usageStore';
import { buildBucket, buildRecord, bucketKey, HOUR, OTHER_SUBSCRIPTION_ID } from '../support/builders';

const OPEN: AppendMode = { path: 'open', deadline: new Date('2025-03-10T11:01:30.000Z') };
const CLOSED: AppendMode = { path: 'closed' };

/** The behaviour every UsageStore must have; run against the fake and against Azurite. */
export function describeUsageStoreContract(name: string, createStore: (clock: Clock) => Promise<UsageStore>): void {
  describe(`UsageStore contract (${name})`, () => {
    const clock = fixedClock('2025-03-10T10:30:00.000Z');

    it('stores each record id once and answers a repeat with the record already stored', async () => {
      // Prepare
      const store = await createStore(clock);
      await store.appendRecords([buildRecord('a', { quantity: 2 })], OPEN);

      // Act
      const outcomes = await store.appendRecords([buildRecord('a', { quantity: 2 }), buildRecord('b', { quantity: 3 })], OPEN);

      // Assess
      expect(outcomes).toEqual([
        { status: 'duplicate', existing: expect.objectContaining({ callerId: 'a', quantity: 2, late: false, timestamp: '2025-03-10T10:15:00.000Z' }) },
        { status: 'stored', late: false },
      ]);
      expect(await store.sumBucket(bucketKey())).toEqual({ billableQuantity: 5, billableRecords: 2, lateQuantity: 0, lateRecords: 0 });
    });

    it('stores a large batch across shards and sums it exactly', async () => {
      // Prepare
      const store = await createStore(clock);
      const records = Array.from({ length: 230 }, (_, i) => buildRecord(`r${i}`, { quantity: 0.5 }));

      // Act
      const outcomes = await store.appendRecords(records, OPEN);

      // Assess
      expect(outcomes.every((o) => o.status === 'stored' && !o.late)).toBe(true);
      expect(await store.sumBucket(bucketKey())).toEqual({ billableQuantity: 115, billableRecords: 230, lateQuantity: 0, lateRecords: 0 });
    });

    it('counts closed-hour records written before the seal as billable and those after it as late', async () => {
      // Prepare
      const store = await createStore(clock);
      await store.appendRecords([buildRecord('before', { quantity: 4 })], CLOSED);
      await store.sealBucket(bucketKey());

      // Act
      const after = await store.appendRecords([buildRecord('after', { quantity: 7 }), buildRecord('before', { quantity: 4 })], CLOSED);
      await store.sealBucket(bucketKey());

      // Assess
      expect(after).toEqual([{ status: 'stored', late: true }, { status: 'duplicate', existing: expect.objectContaining({ late: false }) }]);
      expect(await store.sumBucket(bucketKey())).toEqual({ billableQuantity: 4, billableRecords: 1, lateQuantity: 7, lateRecords: 1 });
    });

    it('refuses an open-hour write once its deadline has passed and stores nothing', async () => {
      // Prepare
      const store = await createStore(clock);
      const passed: AppendMode = { path: 'open', deadline: new Date('2025-03-10T10:29:59.000Z') };

      // Act
      const write = store.appendRecords([buildRecord('late-writer')], passed);

      // Assess
      await expect(write).rejects.toBeInstanceOf(DependencyUnavailableError);
      expect((await store.sumBucket(bucketKey())).billableRecords).toBe(0);
    });

    it('keeps the buckets of other subscriptions, dimensions and hours apart, whatever the dimension id contains', async () => {
      // Prepare
      const store = await createStore(clock);
      const odd = 'calls/#1 ü';
      await store.appendRecords([buildRecord('x', { quantity: 1 })], OPEN);
      await store.appendRecords([buildRecord('x', { dimension: odd, quantity: 10 })], OPEN);
      await store.appendRecords([buildRecord('x', { subscriptionId: OTHER_SUBSCRIPTION_ID, quantity: 100 })], OPEN);
      await store.appendRecords([buildRecord('x', { hour: '2025-03-10T09:00:00.000Z', quantity: 1000 })], CLOSED);

      // Act
      const sums = await Promise.all([
        store.sumBucket(bucketKey()),
        store.sumBucket(bucketKey({ dimension: odd })),
        store.sumBucket(bucketKey({ subscriptionId: OTHER_SUBSCRIPTION_ID })),
        store.sumBucket(bucketKey({ hour: '2025-03-10T09:00:00.000Z' })),
      ]);

      // Assess
      expect(sums.map((s) => s.billableQuantity)).toEqual([1, 10, 100, 1000]);
    });

    it('creates a bucket once and updates it only with the current ETag', async () => {
      // Prepare
      const store = await createStore(clock);
      const created = await store.createBucket(buildBucket());
      const claimed = await store.updateBucket({ ...created.value, state: 'Emitting', attempts: 1, claim: { token: 'run-1', expiresAt: '2025-03-10T11:20:00.000Z' } }, created.etag);

      // Act
      const results = await Promise.allSettled([
        store.createBucket(buildBucket()),
        store.updateBucket({ ...created.value, state: 'Emitting', claim: { token: 'run-2', expiresAt: '2025-03-10T11:20:00.000Z' } }, created.etag),
        store.updateBucket(buildBucket({ hour: '2025-03-10T08:00:00.000Z' }), claimed.etag),
      ]);

      // Assess
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor : r.status))).toEqual([AlreadyExistsError, ConcurrencyConflictError, NotFoundError]);
      expect(await store.getBucket(bucketKey())).toEqual(claimed);
      expect(claimed.value.claim).toEqual({ token: 'run-1', expiresAt: '2025-03-10T11:20:00.000Z' });
    });

    it('keeps every field of a final bucket, and no claim or error that was dropped', async () => {
      // Prepare
      const store = await createStore(clock);
      const created = await store.createBucket(buildBucket({ state: 'Emitting', attempts: 1, claim: { token: 't', expiresAt: '2025-03-10T11:20:00.000Z' }, lastError: { code: 'Timeout', message: 'slow', at: HOUR } }));
      const emitted = buildBucket({ state: 'Emitted', attempts: 1, sentQuantity: 12.5, billedQuantity: 12.5, usageEventId: 'e1', marketplaceStatus: 'Accepted', messageTime: '2025-03-10T11:10:01.000Z', emittedAt: '2025-03-10T11:10:02.000Z' });

      // Act
      await store.updateBucket(emitted, created.etag);

      // Assess
      expect((await store.getBucket(bucketKey()))?.value).toEqual(emitted);
    });

    it('lists one subscription’s buckets in an hour range, oldest first, page by page', async () => {
      // Prepare
      const store = await createStore(clock);
      for (const hour of ['2025-03-10T07:00:00.000Z', '2025-03-10T08:00:00.000Z', '2025-03-10T09:00:00.000Z', HOUR]) {
        await store.createBucket(buildBucket({ hour }));
        await store.createBucket(buildBucket({ hour, dimension: 'storage-gb' }));
      }
      await store.createBucket(buildBucket({ subscriptionId: OTHER_SUBSCRIPTION_ID }));

      // Act
      const first = await store.listBuckets(bucketKey().subscriptionId, { fromHour: '2025-03-10T08:00:00.000Z', toHour: HOUR, pageSize: 3 });
      const second = await store.listBuckets(bucketKey().subscriptionId, { fromHour: '2025-03-10T08:00:00.000Z', toHour: HOUR, pageSize: 3, continuationToken: first.continuationToken });

      // Assess
      const seen = [...first.items, ...second.items].map((b) => `${b.value.hour.slice(11, 13)} ${b.value.dimension}`);
      expect(seen).toEqual(['08 api-calls', '08 storage-gb', '09 api-calls', '09 storage-gb']);
      expect(second.continuationToken).toBeUndefined();
    });

    it('lists pending buckets up to an hour, oldest hour first, and forgets removed ones', async () => {
      // Prepare
      const store = await createStore(clock);
      const entry = (hour: string, subscriptionId = bucketKey().subscriptionId) => ({ ...bucketKey({ hour, subscriptionId }), offerId: 'o', planId: 'p' });
      await store.addPending(entry(HOUR));
      await store.addPending(entry('2025-03-10T08:00:00.000Z', OTHER_SUBSCRIPTION_ID));
      await store.addPending(entry('2025-03-10T08:00:00.000Z'));
      await store.addPending(entry('2025-03-10T08:00:00.000Z'));
      await store.addPending(entry('2025-03-10T09:00:00.000Z'));
      await store.removePending(entry('2025-03-10T09:00:00.000Z'));
      await store.removePending(entry('2025-03-10T09:00:00.000Z'));

      // Act
      const listed = await store.listPending({ throughHour: '2025-03-10T09:00:00.000Z' });

      // Assess
      expect(listed.items).toEqual([entry('2025-03-10T08:00:00.000Z'), entry('2025-03-10T08:00:00.000Z', OTHER_SUBSCRIPTION_ID)]);
    });
  });
}
