import { AlreadyExistsError, ConcurrencyConflictError, NotFoundError, ValidationError } from '../../../../shared/errors';
import type { SubscriptionStore } from '../../../../shared/storage/subscriptionStore';
import { buildSubscription } from '../support/storageBuilders';
import { describeSubscriptionListContract } from './subscriptionListContract';

export type SubscriptionStoreFactory = () => Promise<SubscriptionStore>;

/**
 * The behaviour every SubscriptionStore must have. Called with the in-memory fake (unit) and the
 * Azurite-backed adapter (integration), so the two cannot drift apart. The factory returns an empty store.
 */
export function describeSubscriptionStoreContract(name: string, createStore: SubscriptionStoreFactory): void {
  describe(`SubscriptionStore contract (${name})`, () => {
    it('returns a created subscription unchanged, nested objects included, with an ETag', async () => {
      // Prepare
      const store = await createStore();
      const record = buildSubscription({ retainUntil: '2026-03-01T00:00:00.000Z', lastError: { code: 'E1', message: 'boom', at: '2026-01-02T00:00:00Z' } });

      // Act
      const created = await store.create(record);
      const read = await store.get(record.id);

      // Assess
      expect(created.value).toEqual(record);
      expect(read).toEqual({ value: record, etag: created.etag });
      expect(created.etag).not.toBe('');
    });

    it('keeps optional fields absent rather than undefined', async () => {
      // Prepare
      const store = await createStore();
      const { quantity: _q, purchaser: _p, beneficiary: _b, publisherId: _pub, sandboxType: _s, sessionMode: _m, ...record } = buildSubscription();

      // Act
      await store.create(record);
      const read = await store.get(record.id);

      // Assess
      expect(read?.value).toStrictEqual(record);
    });

    it('refuses a second create of the same id with AlreadyExistsError and keeps the first', async () => {
      // Prepare
      const store = await createStore();
      const first = buildSubscription({ planId: 'first' });
      await store.create(first);

      // Act
      const second = store.create({ ...first, planId: 'second' });

      // Assess
      await expect(second).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await store.get(first.id))?.value.planId).toBe('first');
    });

    it('returns undefined for a subscription that does not exist', async () => {
      // Prepare
      const store = await createStore();

      // Act
      const read = await store.get('00000000-0000-0000-0000-000000000000');

      // Assess
      expect(read).toBeUndefined();
    });

    it('replaces the record when the ETag is current, removes omitted optional fields, and issues a new ETag', async () => {
      // Prepare
      const store = await createStore();
      const created = await store.create(buildSubscription({ quantity: 5 }));
      const { quantity: _quantity, ...withoutQuantity } = created.value;

      // Act
      const updated = await store.update({ ...withoutQuantity, status: 'Suspended' }, created.etag);

      // Assess
      const read = await store.get(created.value.id);
      expect(updated.etag).not.toBe(created.etag);
      expect(read).toEqual({ value: { ...withoutQuantity, status: 'Suspended' }, etag: updated.etag });
      expect(read?.value).not.toHaveProperty('quantity');
    });

    it('refuses an update with a stale ETag with ConcurrencyConflictError and keeps the newer record', async () => {
      // Prepare
      const store = await createStore();
      const created = await store.create(buildSubscription({ planId: 'gold' }));
      await store.update({ ...created.value, planId: 'silver' }, created.etag);

      // Act
      const stale = store.update({ ...created.value, planId: 'bronze' }, created.etag);

      // Assess
      await expect(stale).rejects.toBeInstanceOf(ConcurrencyConflictError);
      expect((await store.get(created.value.id))?.value.planId).toBe('silver');
    });

    it('refuses an update of a missing subscription with NotFoundError', async () => {
      // Prepare
      const store = await createStore();
      const created = await store.create(buildSubscription());

      // Act
      const missing = store.update({ ...created.value, id: '11111111-1111-1111-1111-111111111111' }, created.etag);

      // Assess
      await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    });

    it.each(['*', ''])('refuses an unconditional update (ETag %j) without writing', async (etag) => {
      // Prepare
      const store = await createStore();
      const created = await store.create(buildSubscription({ planId: 'gold' }));

      // Act
      const unconditional = store.update({ ...created.value, planId: 'silver' }, etag);

      // Assess
      await expect(unconditional).rejects.toBeInstanceOf(TypeError);
      expect((await store.get(created.value.id))?.value.planId).toBe('gold');
    });

    it.each(['a/b', 'a\\b', 'a#b', 'a?b', 'a\u0001b', 'a\u007fb', ''])('refuses the id %j, which cannot be a table key, with ValidationError', async (id) => {
      // Prepare
      const store = await createStore();

      // Act
      const create = store.create(buildSubscription({ id }));
      const get = store.get(id);

      // Assess
      await expect(create).rejects.toBeInstanceOf(ValidationError);
      await expect(get).rejects.toBeInstanceOf(ValidationError);
    });

    it('stores ids with quotes and non-ASCII characters', async () => {
      // Prepare
      const store = await createStore();
      const record = buildSubscription({ id: "o'brien-ümlaut-€" });

      // Act
      await store.create(record);

      // Assess
      expect((await store.get(record.id))?.value).toEqual(record);
    });

    it('refuses a record with a property over 64 KiB, or an invalid status, with ValidationError', async () => {
      // Prepare
      const store = await createStore();
      const tooLarge = buildSubscription({ name: 'x'.repeat(40_000) });
      const badStatus = { ...buildSubscription(), status: 'Paused' } as unknown as Parameters<SubscriptionStore['create']>[0];

      // Act
      const results = await Promise.allSettled([store.create(tooLarge), store.create(badStatus)]);

      // Assess
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor : r.status))).toEqual([ValidationError, ValidationError]);
      expect(await store.get(tooLarge.id)).toBeUndefined();
    });

    describe('lease rows (same table and partition as the record)', () => {
      const lease = (subscriptionId: string, at = '2026-03-01T10:00:00.000Z') => ({ subscriptionId, takenAt: at, renewedAt: at });

      it('takes a lease once (conditional insert), renews it with its ETag, and frees it with its ETag', async () => {
        // Prepare
        const store = await createStore();
        const record = buildSubscription();
        await store.create(record);

        // Act
        const taken = await store.leases.create(lease(record.id));
        const second = store.leases.create(lease(record.id));
        const renewed = await store.leases.update({ ...taken.value, renewedAt: '2026-03-01T10:00:02.000Z' }, taken.etag);
        const stale = store.leases.update(taken.value, taken.etag);
        const staleDelete = store.leases.delete(record.id, taken.etag);

        // Assess
        await expect(second).rejects.toBeInstanceOf(AlreadyExistsError);
        await expect(stale).rejects.toBeInstanceOf(ConcurrencyConflictError);
        await expect(staleDelete).rejects.toBeInstanceOf(ConcurrencyConflictError);
        expect(await store.leases.get(record.id)).toEqual(renewed);
        await store.leases.delete(record.id, renewed.etag);
        expect(await store.leases.get(record.id)).toBeUndefined();
        await expect(store.leases.delete(record.id, renewed.etag)).rejects.toBeInstanceOf(NotFoundError);
        expect((await store.list()).items.map((item) => item.value.id)).toEqual([record.id]);
      });

      it('writes the record and frees the lease in one transaction, and lists records only while a lease is held', async () => {
        // Prepare
        const store = await createStore();
        const record = buildSubscription();
        const created = await store.create(record);
        await store.leases.create(lease(record.id));
        const listedWhileHeld = (await store.list()).items.map((item) => item.value.id);

        // Act
        const updated = await store.update({ ...record, planId: 'gold' }, created.etag, { releaseLease: true });

        // Assess
        expect(listedWhileHeld).toEqual([record.id]);
        expect(await store.get(record.id)).toEqual(updated);
        expect(updated.value.planId).toBe('gold');
        expect(await store.leases.get(record.id)).toBeUndefined();
      });

      it('changes neither the record nor the lease when the record moved on', async () => {
        // Prepare
        const store = await createStore();
        const record = buildSubscription();
        const created = await store.create(record);
        const moved = await store.update({ ...record, name: 'Moved on' }, created.etag);
        const held = await store.leases.create(lease(record.id));

        // Act
        const write = store.update({ ...record, planId: 'gold' }, created.etag, { releaseLease: true });

        // Assess
        await expect(write).rejects.toBeInstanceOf(ConcurrencyConflictError);
        expect(await store.get(record.id)).toEqual(moved);
        expect(await store.leases.get(record.id)).toEqual(held);
      });

      it('writes the record alone when the lease row is already gone', async () => {
        // Prepare
        const store = await createStore();
        const record = buildSubscription();
        const created = await store.create(record);

        // Act
        const updated = await store.update({ ...record, planId: 'gold' }, created.etag, { releaseLease: true });

        // Assess
        expect(await store.get(record.id)).toEqual(updated);
        expect(await store.leases.get(record.id)).toBeUndefined();
      });
    });

    describeSubscriptionListContract(createStore);
  });
}
