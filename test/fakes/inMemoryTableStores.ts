import type { TableStores } from '../../shared/storage/createTableStores';
import { InMemoryHistoryStore } from './inMemoryHistoryStore';
import { InMemoryOperationLedger } from './inMemoryOperationLedger';
import { InMemorySubscriptionStore } from './inMemorySubscriptionStore';

/** The in-memory twin of `createTableStores(settings)`: three empty stores. */
export function createInMemoryTableStores(): TableStores & {
  subscriptions: InMemorySubscriptionStore;
  operations: InMemoryOperationLedger;
  history: InMemoryHistoryStore;
} {
  return {
    subscriptions: new InMemorySubscriptionStore(),
    operations: new InMemoryOperationLedger(),
    history: new InMemoryHistoryStore(),
  };
}
