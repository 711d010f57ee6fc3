import { createUsageStore } from '../../../shared/metering/createUsageStore';
import { describeUsageStoreContract } from '../../unit/metering/contracts/usageStoreContract';
import { useAzurite } from '../../support/useAzurite';

// The contract the in-memory fake passes, here against the Table adapter on Azurite.
const azurite = useAzurite();
let tableSet = 0;

describeUsageStoreContract('Azure Table on Azurite', (clock) => {
  tableSet += 1;
  return Promise.resolve(createUsageStore({ connectionString: azurite().connectionString, tableNamePrefix: `m${process.pid}x${tableSet}` }, { clock }));
});
