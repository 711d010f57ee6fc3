import { createPlanCatalog } from '../../../shared/catalog/createPlanCatalog';
import { describePlanCatalogContract } from '../../unit/catalog/contracts/planCatalogContract';
import { useAzurite } from '../../support/useAzurite';

// The contract the in-memory fake passes, here against the Table adapter on Azurite.
const azurite = useAzurite();
let tableSet = 0;

describePlanCatalogContract('Azure Table on Azurite', () => {
  tableSet += 1;
  return Promise.resolve(createPlanCatalog({ connectionString: azurite().connectionString, tableNamePrefix: `p${process.pid}x${tableSet}` }));
});
