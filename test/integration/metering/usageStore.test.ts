import { startAzurite, type RunningAzurite } from '../../../dev/azurite';
import { createUsageStore } from '../../../shared/metering/createUsageStore';
import { describeUsageStoreContract } from '../../unit/metering/contracts/usageStoreContract';

// The contract the in-memory fake passes, here against the Table adapter on Azurite.
let azurite: RunningAzurite;
let tableSet = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite.stop();
});

describeUsageStoreContract('Azure Table on Azurite', (clock) => {
  tableSet += 1;
  return Promise.resolve(createUsageStore({ connectionString: azurite.connectionString, tableNamePrefix: `m${process.pid}x${tableSet}` }, { clock }));
});
