import { ConcurrencyConflictError, NotFoundError, ValidationError } from '../../../../shared/errors';
import type { ListSubscriptionsOptions, SubscriptionStore } from '../../../../shared/storage/subscriptionStore';
import type { SubscriptionRecord } from '../../../../shared/subscription/model';
import { buildSubscription } from '../support/storageBuilders';

async function listAll(store: SubscriptionStore, options: ListSubscriptionsOptions): Promise<{ pages: string[][] }> {
  const pages: string[][] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.list({ ...options, continuationToken });
    pages.push(page.items.map((item) => item.value.id));
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined && pages.length < 50);
  return { pages };
}

/** Listing and updateWithRetry; part of describeSubscriptionStoreContract. */
export function describeSubscriptionListContract(createStore: () => Promise<SubscriptionStore>): void {
  describe('list', () => {
    it('pages through 25 subscriptions 10 at a time: 3 pages, every id exactly once', async () => {
      // Prepare
      const store = await createStore();
      const ids: string[] = [];
      for (let i = 0; i < 25; i += 1) ids.push((await store.create(buildSubscription())).value.id);

      // Act
      const { pages } = await listAll(store, { pageSize: 10 });

      // Assess
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat().sort()).toEqual([...ids].sort());
    });

    it('returns items with the ETag a conditional update accepts', async () => {
      // Prepare
      const store = await createStore();
      await store.create(buildSubscription());

      // Act
      const [item] = (await store.list()).items;
      const updated = await store.update({ ...item!.value, planId: 'silver' }, item!.etag);

      // Assess
      expect(updated.value.planId).toBe('silver');
    });

    it('filters by status, offer, plan and isTest, combined with AND', async () => {
      // Prepare
      const store = await createStore();
      const wanted = buildSubscription({ status: 'Suspended', offerId: 'offer-b', planId: 'gold', isTest: true });
      const others: SubscriptionRecord[] = [
        buildSubscription({ status: 'Subscribed', offerId: 'offer-b', planId: 'gold', isTest: true }),
        buildSubscription({ status: 'Suspended', offerId: 'offer-a', planId: 'gold', isTest: true }),
        buildSubscription({ status: 'Suspended', offerId: 'offer-b', planId: 'silver', isTest: true }),
        buildSubscription({ status: 'Suspended', offerId: 'offer-b', planId: 'gold', isTest: false }),
      ];
      for (const record of [wanted, ...others]) await store.create(record);

      // Act
      const combined = await listAll(store, { status: 'Suspended', offerId: 'offer-b', planId: 'gold', isTest: true });
      const byOffer = await listAll(store, { offerId: 'offer-b' });
      const byStatus = await listAll(store, { status: 'Suspended', pageSize: 2 });

      // Assess
      expect(combined.pages.flat()).toEqual([wanted.id]);
      expect(byOffer.pages.flat().sort()).toEqual([wanted.id, others[0]!.id, others[2]!.id, others[3]!.id].sort());
      expect(byStatus.pages.flat().sort()).toEqual([wanted.id, others[1]!.id, others[2]!.id, others[3]!.id].sort());
    });

    it.each([0, 1001, 2.5])('refuses page size %p with ValidationError', async (pageSize) => {
      // Prepare
      const store = await createStore();

      // Act
      const listing = store.list({ pageSize });

      // Assess
      await expect(listing).rejects.toBeInstanceOf(ValidationError);
    });

    it('refuses a continuation token it did not produce with ValidationError', async () => {
      // Prepare
      const store = await createStore();

      // Act
      const listing = store.list({ continuationToken: 'not-a-token' });

      // Assess
      await expect(listing).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('updateWithRetry', () => {
    it('heals a concurrent change: re-reads and applies the mutation to the newer record', async () => {
      // Prepare
      const store = await createStore();
      const { value } = await store.create(buildSubscription({ planId: 'gold', quantity: 5 }));
      const seen: Array<number | undefined> = [];

      // Act
      const result = await store.updateWithRetry(value.id, async (current) => {
        seen.push(current.quantity);
        if (seen.length === 1) await store.updateWithRetry(value.id, (other) => ({ ...other, planId: 'silver' }));
        return { ...current, quantity: (current.quantity ?? 0) + 1 };
      });

      // Assess
      const read = await store.get(value.id);
      expect(seen).toEqual([5, 5]);
      expect(read).toEqual(result);
      expect(read?.value).toMatchObject({ planId: 'silver', quantity: 6 });
    });

    it('writes nothing when the mutation returns undefined', async () => {
      // Prepare
      const store = await createStore();
      const created = await store.create(buildSubscription());

      // Act
      const result = await store.updateWithRetry(created.value.id, () => undefined);

      // Assess
      expect(result).toEqual(created);
      expect((await store.get(created.value.id))?.etag).toBe(created.etag);
    });

    it('gives up with ConcurrencyConflictError after maxAttempts when every attempt loses the race', async () => {
      // Prepare
      const store = await createStore();
      const { value } = await store.create(buildSubscription({ quantity: 0 }));
      let attempts = 0;

      // Act
      const update = store.updateWithRetry(
        value.id,
        async (current) => {
          attempts += 1;
          await store.updateWithRetry(value.id, (other) => ({ ...other, name: `rival ${attempts}` }));
          return { ...current, quantity: 99 };
        },
        { maxAttempts: 3 },
      );

      // Assess
      await expect(update).rejects.toBeInstanceOf(ConcurrencyConflictError);
      expect(attempts).toBe(3);
      expect((await store.get(value.id))?.value).toMatchObject({ name: 'rival 3', quantity: 0 });
    });

    it('throws NotFoundError for a subscription that does not exist', async () => {
      // Prepare
      const store = await createStore();

      // Act
      const update = store.updateWithRetry('22222222-2222-2222-2222-222222222222', (current) => current);

      // Assess
      await expect(update).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
