import { InMemoryPlanCatalog } from '../../fakes/inMemoryPlanCatalog';
import { describePlanCatalogContract } from './contracts/planCatalogContract';

// The same contract runs against Azurite in test/integration/metering/planCatalog.test.ts.
describePlanCatalogContract('in memory', () => Promise.resolve(new InMemoryPlanCatalog()));
