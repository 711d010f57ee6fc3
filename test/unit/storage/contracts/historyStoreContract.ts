import { ValidationError } from '../../../../shared/errors';
import { historyKey, type HistoryEntry, type HistoryStore } from '../../../../shared/storage/historyStore';
import { buildHistoryEntry } from '../support/storageBuilders';

async function listAll(store: HistoryStore, subscriptionId: string, limit: number): Promise<HistoryEntry[][]> {
  const pages: HistoryEntry[][] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.list(subscriptionId, { limit, continuationToken });
    pages.push(page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined && pages.length < 50);
  return pages;
}

/** The behaviour every HistoryStore must have; run against the fake and against Azurite. */
export function describeHistoryStoreContract(name: string, createStore: () => Promise<HistoryStore>): void {
  describe(`HistoryStore contract (${name})`, () => {
    it('lists a subscription’s entries newest first, whatever the order they were appended in', async () => {
      // Prepare
      const store = await createStore();
      const subscriptionId = 'sub-history-1';
      const times = ['2026-03-02T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-03-01T23:59:59.999Z', '2025-12-31T00:00:00.000Z'];
      for (const at of times) await store.append(buildHistoryEntry({ subscriptionId, at, detail: at }));
      await store.append(buildHistoryEntry({ subscriptionId: 'sub-history-other', at: '2026-04-01T00:00:00.000Z' }));

      // Act
      const pages = await listAll(store, subscriptionId, 3);

      // Assess
      expect(pages.map((page) => page.length)).toEqual([3, 1]);
      expect(pages.flat().map((entry) => entry.at)).toEqual([...times].sort().reverse());
    });

    it('orders entries that share a millisecond by the order they were appended, newest first', async () => {
      // Prepare
      const store = await createStore();
      const at = '2026-05-05T05:05:05.005Z';

      // Act
      for (const kind of ['StatusChanged', 'PlanChanged', 'QuantityChanged']) await store.append(buildHistoryEntry({ subscriptionId: 'sub-same-ms', at, kind }));

      // Assess
      const { items } = await store.list('sub-same-ms');
      expect(items.map((entry) => entry.kind)).toEqual(['QuantityChanged', 'PlanChanged', 'StatusChanged']);
    });

    it('returns every field of an entry, with from and to as their JSON values', async () => {
      // Prepare
      const store = await createStore();
      const entry: HistoryEntry = {
        subscriptionId: 'sub-fields',
        at: '2026-02-01T10:00:00.000Z',
        kind: 'Drift',
        operationId: 'op-1',
        from: { planId: 'gold', quantity: 5, tags: ['a', null] },
        to: null,
        detail: 'reconciliation found a different plan',
        idempotencyKey: 'reconcile:2026-02-01:sub-fields',
      };

      // Act
      await store.append(entry);

      // Assess
      expect((await store.list('sub-fields')).items).toStrictEqual([entry]);
    });

    it('appends once per idempotency key: a retried handler does not write the same history twice', async () => {
      // Prepare
      const store = await createStore();
      const entry = buildHistoryEntry({ subscriptionId: 'sub-idem', operationId: 'op-7', kind: 'PlanChanged', idempotencyKey: historyKey('op-7', 'PlanChanged') });
      const first = await store.append(entry);

      // Act
      const retried = await store.append({ ...entry, at: '2026-02-01T10:00:09.000Z' });
      const otherKind = await store.append({ ...entry, kind: 'QuantityChanged', idempotencyKey: historyKey('op-7', 'QuantityChanged') });

      // Assess
      expect([first, retried, otherKind]).toEqual([{ appended: true }, { appended: false }, { appended: true }]);
      expect((await store.list('sub-idem')).items.map((e) => e.kind).sort()).toEqual(['PlanChanged', 'QuantityChanged']);
    });

    it('appends entries without a key every time', async () => {
      // Prepare
      const store = await createStore();
      const entry = buildHistoryEntry({ subscriptionId: 'sub-nokey' });

      // Act
      const results = [await store.append(entry), await store.append(entry)];

      // Assess
      expect(results).toEqual([{ appended: true }, { appended: true }]);
      expect((await store.list('sub-nokey')).items).toHaveLength(2);
    });

    it('returns an empty page for a subscription without history', async () => {
      // Prepare
      const store = await createStore();

      // Act
      const page = await store.list('sub-empty');

      // Assess
      expect(page).toEqual({ items: [] });
    });

    it('refuses an invalid timestamp, a bad subscription id or oversized detail with ValidationError', async () => {
      // Prepare
      const store = await createStore();

      // Act
      const results = await Promise.allSettled([
        store.append(buildHistoryEntry({ at: 'yesterday' })),
        store.append(buildHistoryEntry({ subscriptionId: 'a/b' })),
        store.append(buildHistoryEntry({ detail: 'd'.repeat(40_000) })),
        store.list('a#b'),
      ]);

      // Assess
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor : r.status))).toEqual([
        ValidationError,
        ValidationError,
        ValidationError,
        ValidationError,
      ]);
    });
  });
}
