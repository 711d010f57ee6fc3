import { InMemoryUsageStore } from '../../fakes/inMemoryUsageStore';
import { describeUsageStoreContract } from './contracts/usageStoreContract';

// The same contract runs against Azurite in test/integration/metering: the fake cannot drift.
describeUsageStoreContract('in memory', (clock) => Promise.resolve(new InMemoryUsageStore({ clock })));
