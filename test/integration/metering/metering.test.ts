import { learnPlans } from '../../../shared/catalog/learnPlans';
import { createPlanCatalog } from '../../../shared/catalog/createPlanCatalog';
import { fixedClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/logging';
import { createUsageStore } from '../../../shared/metering/createUsageStore';
import { emitUsage } from '../../../shared/metering/emitUsage';
import { createUsageIngestion } from '../../../shared/metering/ingestUsage';
import { createMeteringLookups } from '../../../shared/metering/lookups';
import type { AppendOutcome } from '../../../shared/metering/model';
import { createTableStores } from '../../../shared/storage/createTableStores';
import { InMemoryUsageMarketplace } from '../../fakes/inMemoryUsageMarketplace';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { bucketKey, buildRecord, SUBSCRIPTION_ID } from '../../unit/metering/support/builders';
import { LISTED_PLANS, wire } from '../../unit/metering/support/rig';
import { useAzurite } from '../../support/useAzurite';

// The metering use cases on the Table adapters (Azurite): the seal protocol under real concurrency,
// and emission runs racing each other.
const azurite = useAzurite();
let tableSet = 0;

function settings() {
  tableSet += 1;
  return { connectionString: azurite().connectionString, tableNamePrefix: `i${process.pid}x${tableSet}` };
}

describe('metering on Azure Tables', () => {
  it('classifies every closed-hour record written while the hour is being sealed as either billable or late, never lost', async () => {
    // Prepare
    const store = createUsageStore(settings(), { clock: fixedClock('2025-03-10T12:00:00Z') });
    const batches = Array.from({ length: 12 }, (_, b) => Array.from({ length: 5 }, (_, r) => buildRecord(`b${b}r${r}`, { quantity: b + 1 })));

    // Act
    const writes = batches.map((batch) => store.appendRecords(batch, { path: 'closed' }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.sealBucket(bucketKey());
    const outcomes = (await Promise.all(writes)).flat();

    // Assess
    const quantities = batches.flat().map((r) => r.quantity);
    const sumOf = (late: boolean) => outcomes.reduce((sum, o: AppendOutcome, i) => (o.status === 'stored' && o.late === late ? sum + (quantities[i] as number) : sum), 0);
    expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
    expect(await store.sumBucket(bucketKey())).toEqual({ billableQuantity: sumOf(false), billableRecords: outcomes.filter((o) => o.status === 'stored' && !o.late).length, lateQuantity: sumOf(true), lateRecords: outcomes.filter((o) => o.status === 'stored' && o.late).length });
  });

  it('ingests records and lets three concurrent emission runs send each hour once', async () => {
    // Prepare
    const clock = fixedClock('2025-03-10T10:30:00.000Z');
    const storage = settings();
    const { subscriptions } = createTableStores(storage);
    await subscriptions.create(buildSubscriptionRecord({ id: SUBSCRIPTION_ID, offerId: 'contoso-analytics', planId: 'starter', status: 'Subscribed' }));
    const plans = createPlanCatalog(storage);
    const usage = createUsageStore(storage, { clock });
    const metering = new InMemoryUsageMarketplace(clock);
    const marketplace = { listAvailablePlans: () => Promise.resolve(LISTED_PLANS), postBatchUsageEvents: metering.postBatchUsageEvents };
    const lookups = createMeteringLookups({ subscriptions, plans, clock, learn: (id) => learnPlans({ subscriptions, marketplace, plans, clock }, id) });
    let ids = 0;
    const newId = () => `n${(ids += 1)}`;
    const ingestion = createUsageIngestion({ usage, lookups, clock, newId, windowMarginMs: 3 * 3_600_000 });
    const records = Array.from({ length: 150 }, (_, i) => wire({ id: `e${i}`, quantity: 0.5, dimension: i % 3 === 0 ? 'storage-gb' : 'api-calls', timestamp: i % 2 === 0 ? '2025-03-10T09:20:00Z' : '2025-03-10T10:20:00Z' }));
    const ingested = await Promise.all([ingestion.ingest(records.slice(0, 75)), ingestion.ingest(records.slice(75)), ingestion.ingest(records.slice(0, 10))]);
    clock.set('2025-03-10T11:10:00.000Z');

    // Act
    const runs = await Promise.all([1, 2, 3].map(() => emitUsage({ usage, marketplace, clock, newId, settleMs: 300_000, claimTimeoutMs: 600_000, logger: silentLogger })));

    // Assess
    expect(ingested.reduce((n, r) => n + r.accepted, 0)).toBe(150);
    expect(ingested.reduce((n, r) => n + r.duplicate, 0)).toBe(10);
    expect(runs.reduce((n, r) => n + r.emitted, 0)).toBe(4);
    expect(metering.received).toHaveLength(4);
    const held = [...metering.accepted.values()].map((e) => `${e.hour.slice(11, 13)} ${e.dimension} ${e.quantity}`).sort();
    expect(held).toEqual(['09 api-calls 25', '09 storage-gb 12.5', '10 api-calls 25', '10 storage-gb 12.5']);
    expect((await usage.getBucket(bucketKey({ hour: '2025-03-10T09:00:00.000Z' })))?.value).toMatchObject({ state: 'Emitted', billedQuantity: 25 });
  });
});
