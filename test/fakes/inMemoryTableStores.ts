import type { TableStores } from '../../shared/storage/createTableStores';
import { InMemoryHistoryStore } from './inMemoryHistoryStore';
import { InMemoryOperationLedger } from './inMemoryOperationLedger';
import { InMemorySearchIndex } from './inMemorySearchIndex';
import { InMemoryStatusCounter } from './inMemoryStatusCounter';
import { InMemorySubscriptionStore } from './inMemorySubscriptionStore';

/** The in-memory twin of `createTableStores(settings)`: three empty stores. */
export function createInMemoryTableStores(): TableStores & {
  subscriptions: InMemorySubscriptionStore;
  operations: InMemoryOperationLedger;
  history: InMemoryHistoryStore;
  searchIndex: InMemorySearchIndex;
} {
  const operations = new InMemoryOperationLedger();
  const subscriptions = new InMemorySubscriptionStore();
  return {
    subscriptions,
    subscriptionStatuses: new InMemoryStatusCounter(subscriptions),
    operations,
    operationLog: operations,
    history: new InMemoryHistoryStore(),
    searchIndex: new InMemorySearchIndex(),
  };
}
