import { updateWithRetry, type HistoryStore, type OperationLedger, type SubscriptionStore } from '../storage';

/** Table writes made by one reconciliation run (successful ones; reads are not counted). */
export interface WriteCounts {
  subscriptions: number;
  history: number;
  operations: number;
}

export function emptyWriteCounts(): WriteCounts {
  return { subscriptions: 0, history: 0, operations: 0 };
}

/** `store` with every successful create and update counted (updateWithRetry included, through its shared loop). */
export function countingSubscriptions(store: SubscriptionStore, counts: WriteCounts): SubscriptionStore {
  const counted: SubscriptionStore = {
    get: (id) => store.get(id),
    list: (options) => store.list(options),
    create: async (record) => {
      const created = await store.create(record);
      counts.subscriptions += 1;
      return created;
    },
    update: async (record, etag) => {
      const updated = await store.update(record, etag);
      counts.subscriptions += 1;
      return updated;
    },
    updateWithRetry: (id, mutate, options) => updateWithRetry(counted, id, mutate, options),
  };
  return counted;
}

/** `store` with every appended row counted (a repeat with the same idempotency key writes nothing). */
export function countingHistory(store: HistoryStore, counts: WriteCounts): HistoryStore {
  return {
    list: (subscriptionId, options) => store.list(subscriptionId, options),
    append: async (entry) => {
      const result = await store.append(entry);
      if (result.appended) counts.history += 1;
      return result;
    },
  };
}

export function countingLedger(ledger: Pick<OperationLedger, 'create' | 'get' | 'update'>, counts: WriteCounts): Pick<OperationLedger, 'create' | 'get' | 'update'> {
  return {
    get: (id) => ledger.get(id),
    create: async (operation) => {
      const created = await ledger.create(operation);
      counts.operations += 1;
      return created;
    },
    update: async (operation, etag) => {
      const updated = await ledger.update(operation, etag);
      counts.operations += 1;
      return updated;
    },
  };
}
