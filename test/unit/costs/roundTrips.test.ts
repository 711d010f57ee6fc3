import { activateSubscription } from '../../../shared/activation';
import { processOperation } from '../../../shared/operations/processOperation';
import { handOverOperation } from '../../../shared/operations/handOverOperation';
import { requestPublisherChange, trackPublisherOperation } from '../../../shared/publisherOperations';
import {
  formatRoundTrips,
  marketplaceCallCount,
  RoundTripCounter,
  roundTripsSince,
  storageRoundTrips,
  tableRoundTrips,
  type RoundTrips,
} from '../../../shared/storage';
import { recordFromMarketplace } from '../../../shared/subscription/fromMarketplace';
import { createInMemoryTableStores } from '../../fakes/inMemoryTableStores';
import { buildMarketplaceSubscription, FakeMarketplace as LandingMarketplace, SUBSCRIPTION_ID as LANDING_SUBSCRIPTION_ID } from '../landing/support/fakeMarketplace';
import { captureLogs, recordingIsv } from '../landing/support/landingRig';
import { fixedClock } from '../../../shared/clock';
import { marketplaceOperation, NOW, OPERATION_ID, operationsRig, SUBSCRIPTION_ID } from '../operations/operationsRig';
import { fulfillmentRig, SUBSCRIPTION_ID as PUBLISHER_SUBSCRIPTION_ID } from '../publisherOperations/fakeFulfillment';

/**
 * Round trips per unit of work, counted at the ports (RoundTripCounter, the same wrapper the
 * webhook bench and reconciliation use). Each bound is what the path costs now: a change that
 * adds a storage round trip or a Marketplace call fails here, and must update the bound (and
 * docs/webhook.md) on purpose.
 */
interface Bound {
  tableReads: number;
  tableWrites: number;
  tableQueries: number;
  queueOperations: number;
  marketplaceCalls: number;
}

function flat(counts: RoundTrips): Bound {
  const table = tableRoundTrips(counts);
  return { tableReads: table.reads, tableWrites: table.writes, tableQueries: table.queries, queueOperations: counts.queueOperations, marketplaceCalls: marketplaceCallCount(counts) };
}

function expectWithin(label: string, counts: RoundTrips, bound: Bound): void {
  const actual = flat(counts);
  const over = (Object.keys(bound) as Array<keyof Bound>).filter((key) => actual[key] > bound[key]);
  if (over.length > 0) throw new Error(`${label}: ${over.map((key) => `${key} ${actual[key]} > ${bound[key]}`).join(', ')}\n  ${formatRoundTrips(counts)}`);
  seen.push(`${label}: ${formatRoundTrips(counts)}`);
}

const seen: string[] = [];
afterAll(() => {
  if (process.env.PRINT_ROUND_TRIPS === '1') process.stdout.write(`${seen.join('\n')}\n`);
});

/**
 * Before (#16, counted on main when the counting landed) → bound now, storage round trips:
 * ChangePlan / ChangeQuantity / Reinstate 13 → 6, Suspend / Renew / Unsubscribe 11 → 5, Subscribe 8 → 4.
 * Processing takes the lease (one insert), reads the record once, writes the history rows, then the
 * record in one write that also releases the lease, and settles the ledger row with one merge.
 */
const PROCESSING_BOUNDS: Record<string, Bound> = {
  // lease taken, record read, decision row, change row, record written with the lease released, row settled
  ChangePlan: { tableReads: 1, tableWrites: 5, tableQueries: 0, queueOperations: 0, marketplaceCalls: 4 },
  ChangeQuantity: { tableReads: 1, tableWrites: 5, tableQueries: 0, queueOperations: 0, marketplaceCalls: 4 },
  Reinstate: { tableReads: 1, tableWrites: 5, tableQueries: 0, queueOperations: 0, marketplaceCalls: 4 },
  // lease taken, record read, change row, record written with the lease released, row settled
  Suspend: { tableReads: 1, tableWrites: 4, tableQueries: 0, queueOperations: 0, marketplaceCalls: 2 },
  Renew: { tableReads: 1, tableWrites: 4, tableQueries: 0, queueOperations: 0, marketplaceCalls: 2 },
  Unsubscribe: { tableReads: 1, tableWrites: 4, tableQueries: 0, queueOperations: 0, marketplaceCalls: 2 },
  // lease taken, record read (already active: nothing to write), lease released, row settled
  Subscribe: { tableReads: 1, tableWrites: 3, tableQueries: 0, queueOperations: 0, marketplaceCalls: 2 },
};

/** Storage round trips per processed operation before #16's cut (main, when the counting landed). */
const BEFORE: Record<string, number> = { ChangePlan: 13, ChangeQuantity: 13, Reinstate: 13, Suspend: 11, Renew: 11, Unsubscribe: 11, Subscribe: 8 };

/** One operation of `action`, InProgress (acknowledged actions) or final, with both sides knowing the subscription. */
async function processed(action: string): Promise<RoundTrips> {
  const rig = operationsRig();
  const counter = new RoundTripCounter();
  const acknowledged = action === 'ChangePlan' || action === 'ChangeQuantity' || action === 'Reinstate';
  await rig.known(action === 'Reinstate' ? { saasSubscriptionStatus: 'Suspended' } : {});
  const truth = rig.marketplace.subscriptions.get(SUBSCRIPTION_ID)!;
  if (action === 'Suspend') truth.saasSubscriptionStatus = 'Suspended';
  if (action === 'Unsubscribe') truth.saasSubscriptionStatus = 'Unsubscribed';
  if (action === 'Renew') truth.term = { termUnit: 'P1M', startDate: '2026-03-01T00:00:00Z', endDate: '2026-03-31T00:00:00Z' };
  rig.marketplace.operations.set(
    OPERATION_ID,
    marketplaceOperation({ action, planId: action === 'ChangePlan' ? 'gold' : 'basic', quantity: action === 'ChangeQuantity' ? 25 : undefined, status: acknowledged ? 'InProgress' : 'Succeeded' }),
  );
  const message = await rig.received(action);
  const deps = {
    ...rig.deps,
    operations: counter.operations(rig.deps.operations),
    subscriptions: counter.subscriptions(rig.deps.subscriptions),
    history: counter.history(rig.deps.history),
    queue: counter.queue(rig.deps.queue),
    marketplace: counter.marketplace(rig.deps.marketplace),
  };
  const result = await processOperation(deps, message, { dequeueCount: 1 });
  expect(result.outcome).toBe('completed');
  if (acknowledged) expect(rig.marketplace.callsOf('updateOperation')).toEqual([[SUBSCRIPTION_ID, OPERATION_ID, 'Success']]);
  if (action !== 'Subscribe') expect(rig.isv.notified).toHaveLength(1);
  return counter.counts;
}

describe('round trips per unit of work', () => {
  it.each(Object.keys(PROCESSING_BOUNDS))('processing one %s stays within its bound, at most half the storage round trips it took before', async (action) => {
    const counts = await processed(action);
    expectWithin(`process ${action}`, counts, PROCESSING_BOUNDS[action]!);
    expect(storageRoundTrips(counts)).toBeLessThanOrEqual(Math.floor(BEFORE[action]! / 2));
  });

  it('acknowledging a webhook records and queues in two storage round trips; a repeat still Received costs three', async () => {
    const stores = createInMemoryTableStores();
    const counter = new RoundTripCounter();
    const deps = { operations: counter.operations(stores.operations), queue: counter.queue(operationsRig().queue) };
    const row = { id: OPERATION_ID, subscriptionId: SUBSCRIPTION_ID, action: 'ChangePlan', state: 'Received' as const, receivedAt: NOW, updatedAt: NOW, attempts: 0 };

    expect((await handOverOperation(deps, row)).outcome).toBe('queued');
    expectWithin('webhook acknowledgement', counter.snapshot(), { tableReads: 0, tableWrites: 1, tableQueries: 0, queueOperations: 1, marketplaceCalls: 0 });
    const first = counter.snapshot();
    expect((await handOverOperation(deps, row)).outcome).toBe('requeued');
    expectWithin('webhook repeat (row still Received)', roundTripsSince(counter.counts, first), { tableReads: 1, tableWrites: 1, tableQueries: 0, queueOperations: 1, marketplaceCalls: 0 });
  });

  it('an activation stays within its bound', async () => {
    const stores = createInMemoryTableStores();
    const counter = new RoundTripCounter();
    const marketplace = new LandingMarketplace();
    await stores.subscriptions.create({ ...recordFromMarketplace(buildMarketplaceSubscription(), '2026-03-01T10:00:00.000Z'), status: 'PendingFulfillmentStart' });
    const deps = {
      subscriptions: counter.subscriptions(stores.subscriptions),
      history: counter.history(stores.history),
      operations: counter.operations(stores.operations),
      marketplace: counter.marketplace(marketplace),
      isv: recordingIsv().hooks,
      clock: fixedClock('2026-03-01T10:00:05.000Z'),
      logger: captureLogs().logger,
    };
    const message = { subscriptionId: LANDING_SUBSCRIPTION_ID, planId: 'team', quantity: 5, requestId: 'request-1', requestedAt: '2026-03-01T10:00:00.000Z' };

    expect(await activateSubscription(deps, message, { attempt: 1, maxAttempts: 5 })).toEqual({ outcome: 'activated' });
    // Before: 10 (6 reads, 4 writes).
    expectWithin('activation', counter.counts, { tableReads: 3, tableWrites: 4, tableQueries: 0, queueOperations: 0, marketplaceCalls: 3 });
  });

  it('a publisher change (request, then one poll that finds it Succeeded) stays within its bound', async () => {
    const rig = fulfillmentRig();
    await rig.known();
    const counter = new RoundTripCounter();
    const stores = {
      subscriptions: counter.subscriptions(rig.subscriptions),
      history: counter.history(rig.history),
      operations: counter.operations(rig.operations),
      queue: counter.queue(rig.trackingQueue),
      plans: counter.plans(rig.plans),
      marketplace: counter.marketplace(rig.marketplace),
    };
    await requestPublisherChange({ ...rig.changeDeps, ...stores }, PUBLISHER_SUBSCRIPTION_ID, { action: 'ChangePlan', planId: 'business' });
    expectWithin('publisher change request', counter.snapshot(), { tableReads: 2, tableWrites: 3, tableQueries: 0, queueOperations: 1, marketplaceCalls: 2 });
    const message = rig.trackingQueue.sent.shift()!.message;
    rig.marketplace.finish(message.operationId, 'Succeeded');
    const requested = counter.snapshot();
    expect(await trackPublisherOperation({ ...rig.trackDeps, ...stores }, message)).toBe('completed');
    // Before: 10 (5 reads, 5 writes).
    expectWithin('publisher change poll (Succeeded)', roundTripsSince(counter.counts, requested), { tableReads: 2, tableWrites: 4, tableQueries: 0, queueOperations: 0, marketplaceCalls: 2 });
  });
});
