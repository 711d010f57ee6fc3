import { startAzurite, type RunningAzurite } from '../../../dev/azurite';
import { createPlanCatalog } from '../../../shared/catalog/createPlanCatalog';
import { describePlanCatalogContract } from '../../unit/catalog/contracts/planCatalogContract';

// The contract the in-memory fake passes, here against the Table adapter on Azurite.
let azurite: RunningAzurite;
let tableSet = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite.stop();
});

describePlanCatalogContract('Azure Table on Azurite', () => {
  tableSet += 1;
  return Promise.resolve(createPlanCatalog({ connectionString: azurite.connectionString, tableNamePrefix: `p${process.pid}x${tableSet}` }));
});
