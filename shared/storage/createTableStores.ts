import type { HistoryStore } from './historyStore';
import type { OperationLedger } from './operationLedger';
import { createTableClient, type StorageSettings } from './storageSettings';
import type { SubscriptionStore } from './subscriptionStore';
import { TableHistoryStore } from './tableHistoryStore';
import { tableName } from './tableNames';
import { TableOperationLedger } from './tableOperationLedger';
import { TableSubscriptionStore } from './tableSubscriptionStore';

export interface TableStores {
  subscriptions: SubscriptionStore;
  operations: OperationLedger;
  history: HistoryStore;
}

/**
 * The three table-backed stores for one storage account. Cheap and synchronous: no request is made
 * until first use, when each table is created if missing (once per process).
 */
export function createTableStores(settings: StorageSettings): TableStores {
  const prefix = settings.tableNamePrefix ?? '';
  return {
    subscriptions: new TableSubscriptionStore(createTableClient(settings, tableName('subscriptions', prefix))),
    operations: new TableOperationLedger(createTableClient(settings, tableName('operations', prefix))),
    history: new TableHistoryStore(createTableClient(settings, tableName('history', prefix))),
  };
}
