import { createTableStores } from '../../../shared/storage/createTableStores';
import type { SubscriptionStatus } from '../../../shared/subscription/model';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { useAzurite } from '../../support/useAzurite';

// The overview's counts by status: a projection query in 16 key ranges on the subscriptions table.
const azurite = useAzurite();

describe('TableSubscriptionStatusCounter on Azurite', () => {
  it('counts every subscription once, whatever its id (below, inside and above the hex ranges, upper case)', async () => {
    // Prepare
    const stores = createTableStores({ connectionString: azurite().connectionString, tableNamePrefix: `s${process.pid}` });
    const ids = [
      '00000000-0000-4000-8000-000000000000',
      '0fffffff-0000-4000-8000-000000000000',
      '10000000-0000-4000-8000-000000000000',
      '9abcdef0-0000-4000-8000-000000000000',
      'A0000000-0000-4000-8000-000000000000',
      'a0000000-0000-4000-8000-000000000000',
      'efffffff-0000-4000-8000-000000000000',
      'f0000000-0000-4000-8000-000000000000',
      'ffffffff-ffff-4fff-8fff-ffffffffffff',
      ' leading-space',
      'zz-not-a-guid',
      '~tilde',
    ];
    const statuses: SubscriptionStatus[] = ['Subscribed', 'Suspended', 'Unsubscribed', 'PendingFulfillmentStart'];
    await Promise.all(ids.map((id, i) => stores.subscriptions.create(buildSubscriptionRecord({ id, status: statuses[i % statuses.length] }))));

    // Act
    const counts = await stores.subscriptionStatuses.countByStatus();

    // Assess
    expect(counts).toEqual({ PendingFulfillmentStart: 3, Subscribed: 3, Suspended: 3, Unsubscribed: 3 });
  });

  it('counts an empty (not yet created) table as zero everywhere', async () => {
    // Prepare
    const stores = createTableStores({ connectionString: azurite().connectionString, tableNamePrefix: `e${process.pid}` });

    // Act
    const counts = await stores.subscriptionStatuses.countByStatus();

    // Assess
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });
});
