import type { HistoryStore } from './historyStore';
import type { OperationLedger, OperationLog } from './operationLedger';
import { createTableClient, type StorageSettings } from './storageSettings';
import type { SubscriptionSearchIndex } from './subscriptionSearch';
import { TableSubscriptionStatusCounter, type SubscriptionStatusCounter } from './subscriptionStatusCounts';
import type { SubscriptionStore } from './subscriptionStore';
import { TableHistoryStore } from './tableHistoryStore';
import { tableName } from './tableNames';
import { TableOperationLedger } from './tableOperationLedger';
import { TableSubscriptionSearchIndex } from './tableSubscriptionSearch';
import { TableSubscriptionStore } from './tableSubscriptionStore';

export interface TableStores {
  subscriptions: SubscriptionStore;
  operations: OperationLedger;
  history: HistoryStore;
  /** The operation ledger read as a log (the console's delivery log). */
  operationLog: OperationLog;
  /** The console's subscription search index (rows kept in step by `searchIndexedSubscriptions`). */
  searchIndex: SubscriptionSearchIndex;
  /** Subscriptions by status, counted with a projection query (the console's overview). */
  subscriptionStatuses: SubscriptionStatusCounter;
}

/**
 * The three table-backed stores for one storage account. Cheap and synchronous: no request is made
 * until first use, when each table is created if missing (once per process).
 */
export function createTableStores(settings: StorageSettings): TableStores {
  const prefix = settings.tableNamePrefix ?? '';
  const operations = new TableOperationLedger(createTableClient(settings, tableName('operations', prefix)));
  const subscriptions = createTableClient(settings, tableName('subscriptions', prefix));
  return {
    subscriptions: new TableSubscriptionStore(subscriptions),
    subscriptionStatuses: new TableSubscriptionStatusCounter(subscriptions),
    operations,
    operationLog: operations,
    history: new TableHistoryStore(createTableClient(settings, tableName('history', prefix))),
    searchIndex: new TableSubscriptionSearchIndex(createTableClient(settings, tableName('search', prefix))),
  };
}
