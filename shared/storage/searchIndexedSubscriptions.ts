import type { SubscriptionRecord, Versioned } from '../subscription/model';
import { sameTerms, searchTerms, termsRemoved, type SearchTerm, type SubscriptionSearchIndex } from './subscriptionSearch';
import { updateWithRetry, type SubscriptionMutation, type SubscriptionStore, type UpdateWithRetryOptions } from './subscriptionStore';

/** Terms of this many recently read or written subscriptions are remembered, so an unchanged write costs nothing. */
const REMEMBERED = 2_000;

/**
 * A SubscriptionStore that keeps the console's search index in step: after a create, and after an
 * update that changed a searchable field, the record's index rows are written (one batch). The terms
 * of records this process recently read or wrote are remembered, so the usual read-then-write of an
 * unchanged name or e-mail costs no extra round trip, and terms that went away are deleted. The
 * record is the truth: an index write that fails is reported to `onIndexError` and never fails the
 * write of the record (a stale or missing row only affects search, and every hit is re-checked).
 */
export function searchIndexedSubscriptions(store: SubscriptionStore, index: SubscriptionSearchIndex, onIndexError: (error: unknown, subscriptionId: string) => void): SubscriptionStore {
  const known = new Map<string, SearchTerm[]>();
  const remember = (record: SubscriptionRecord, terms = searchTerms(record)): void => {
    known.delete(record.id);
    known.set(record.id, terms);
    if (known.size > REMEMBERED) known.delete(known.keys().next().value as string);
  };
  const reindex = async (record: SubscriptionRecord): Promise<void> => {
    const terms = searchTerms(record);
    const before = known.get(record.id);
    if (before !== undefined && sameTerms(before, terms)) return;
    try {
      await index.put(record.id, terms, before === undefined ? [] : termsRemoved(before, terms));
      remember(record, terms);
    } catch (error) {
      known.delete(record.id);
      onIndexError(error, record.id);
    }
  };
  const indexed: SubscriptionStore = {
    leases: store.leases,
    async create(record) {
      const created = await store.create(record);
      await reindex(created.value);
      return created;
    },
    async get(id) {
      const found = await store.get(id);
      if (found !== undefined && !known.has(id)) remember(found.value);
      return found;
    },
    async update(record, etag, options) {
      const updated = await store.update(record, etag, options);
      await reindex(updated.value);
      return updated;
    },
    list: (options) => store.list(options),
    updateWithRetry(id: string, mutate: SubscriptionMutation, options?: UpdateWithRetryOptions): Promise<Versioned<SubscriptionRecord>> {
      return updateWithRetry(indexed, id, mutate, options);
    },
  };
  return indexed;
}
