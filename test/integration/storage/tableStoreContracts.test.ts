import { createTableStores, type TableStores } from '../../../shared/storage/createTableStores';
import { describeHistoryStoreContract } from '../../unit/storage/contracts/historyStoreContract';
import { describeOperationLedgerContract } from '../../unit/storage/contracts/operationLedgerContract';
import { describeSubscriptionStoreContract } from '../../unit/storage/contracts/subscriptionStoreContract';
import { useAzurite } from '../../support/useAzurite';

// The contracts the in-memory fakes pass (test/unit/storage/inMemoryStores.test.ts), here against
// the Table adapters on Azurite. Every test gets its own tables through a unique name prefix.
const azurite = useAzurite();
let tableSet = 0;

function freshStores(): Promise<TableStores> {
  tableSet += 1;
  return Promise.resolve(createTableStores({ connectionString: azurite().connectionString, tableNamePrefix: `c${process.pid}x${tableSet}` }));
}

describeSubscriptionStoreContract('Azure Table on Azurite', async () => (await freshStores()).subscriptions);
describeOperationLedgerContract('Azure Table on Azurite', async () => (await freshStores()).operations);
describeHistoryStoreContract('Azure Table on Azurite', async () => (await freshStores()).history);
