import { fixedClock, systemClock as wallClock } from '../../../shared/clock';
import { ConcurrencyConflictError } from '../../../shared/errors';
import { acquireSubscriptionLease, holdSubscriptionLease, SUBSCRIPTION_LEASE_TTL_MS } from '../../../shared/operations/subscriptionLease';
import { RoundTripCounter } from '../../../shared/storage';
import type { SubscriptionRecord } from '../../../shared/subscription/model';
import { createInMemoryTableStores } from '../../fakes/inMemoryTableStores';
import { captureLogs } from '../isv/isvTestSupport';

const SUBSCRIPTION_ID = '37f9dea2-4345-438f-b0bd-03d40d28c7e0';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the subscription lease', () => {
  it('lasts seconds, so that a worker that died frees its subscription well inside the 10-second window', () => {
    // Assess
    expect(SUBSCRIPTION_LEASE_TTL_MS).toBeLessThanOrEqual(5_000);
  });

  it('is taken over once a dead holder stopped renewing it for longer than its TTL', async () => {
    // Prepare: a holder that died right after taking the lease
    const { subscriptions } = createInMemoryTableStores();
    const taken = new Date('2026-03-01T10:00:00.000Z');
    expect(await acquireSubscriptionLease(subscriptions, SUBSCRIPTION_ID, taken, SUBSCRIPTION_LEASE_TTL_MS)).toBeDefined();

    // Act
    const tooEarly = await acquireSubscriptionLease(subscriptions, SUBSCRIPTION_ID, new Date(taken.getTime() + SUBSCRIPTION_LEASE_TTL_MS - 1), SUBSCRIPTION_LEASE_TTL_MS);
    const afterTtl = await acquireSubscriptionLease(subscriptions, SUBSCRIPTION_ID, new Date(taken.getTime() + SUBSCRIPTION_LEASE_TTL_MS + 1), SUBSCRIPTION_LEASE_TTL_MS);

    // Assess
    expect(tooEarly).toBeUndefined();
    expect(afterTtl).toBeDefined();
  });

  it('is renewed while slow work runs, so nobody takes it over, and is free afterwards', async () => {
    // Prepare: a TTL of 150 ms and work that takes four times as long
    const { subscriptions } = createInMemoryTableStores();
    const { logger } = captureLogs();
    const ttlMs = 150;
    const contender: Array<boolean> = [];

    // Act
    const held = await holdSubscriptionLease({ subscriptions, clock: wallClock, logger }, SUBSCRIPTION_ID, async () => {
      for (let i = 0; i < 4; i += 1) {
        await sleep(ttlMs);
        contender.push((await acquireSubscriptionLease(subscriptions, SUBSCRIPTION_ID, new Date(), ttlMs)) !== undefined);
      }
      return 'done';
    }, ttlMs);

    // Assess
    expect(held).toEqual({ busy: false, value: 'done' });
    expect(contender).toEqual([false, false, false, false]);
    expect(await subscriptions.leases.get(SUBSCRIPTION_ID)).toBeUndefined();
    expect(await acquireSubscriptionLease(subscriptions, SUBSCRIPTION_ID, new Date(), ttlMs)).toBeDefined();
  });

  it('answers busy, without running the work, while another worker holds it', async () => {
    // Prepare
    const { subscriptions } = createInMemoryTableStores();
    const { logger } = captureLogs();
    await acquireSubscriptionLease(subscriptions, SUBSCRIPTION_ID, new Date(), SUBSCRIPTION_LEASE_TTL_MS);
    const work = jest.fn(() => Promise.resolve('ran'));

    // Act
    const held = await holdSubscriptionLease({ subscriptions, clock: wallClock, logger }, SUBSCRIPTION_ID, work);

    // Assess
    expect(held).toEqual({ busy: true });
    expect(work).not.toHaveBeenCalled();
  });

  describe('released with the last write of the record', () => {
    const record = (): SubscriptionRecord => ({
      id: SUBSCRIPTION_ID,
      name: 'Contoso',
      offerId: 'offer',
      planId: 'basic',
      quantity: 5,
      status: 'Subscribed',
      term: {},
      autoRenew: true,
      isTest: false,
      isFreeTrial: false,
      allowedCustomerOperations: [],
      createdAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-03-01T10:00:00.000Z',
    });

    it('takes and frees the lease in two writes in all when the record write releases it: no write of its own to release', async () => {
      // Prepare
      const stores = createInMemoryTableStores();
      const stored = await stores.subscriptions.create(record());
      const counter = new RoundTripCounter();
      const subscriptions = counter.subscriptions(stores.subscriptions);
      const { logger } = captureLogs();

      // Act
      const held = await holdSubscriptionLease({ subscriptions, clock: fixedClock('2026-03-01T10:00:01.000Z'), logger }, SUBSCRIPTION_ID, (lease) =>
        lease.releaseWith((releaseLease) => subscriptions.update({ ...stored.value, planId: 'gold' }, stored.etag, { releaseLease })),
      );

      // Assess
      expect(held.busy).toBe(false);
      expect(counter.counts.subscriptions).toEqual({ reads: 0, writes: 2, queries: 0 });
      expect(await stores.subscriptions.leases.get(SUBSCRIPTION_ID)).toBeUndefined();
      expect((await stores.subscriptions.get(SUBSCRIPTION_ID))?.value.planId).toBe('gold');
      expect((await stores.subscriptions.list()).items.map((item) => item.value.id)).toEqual([SUBSCRIPTION_ID]);
    });

    it('keeps the lease when the record write is refused (the record moved on), and frees it afterwards', async () => {
      // Prepare
      const stores = createInMemoryTableStores();
      const stored = await stores.subscriptions.create(record());
      await stores.subscriptions.update({ ...stored.value, name: 'Renamed' }, stored.etag);
      const { logger } = captureLogs();
      let heldDuringWork: boolean | undefined;

      // Act
      const held = await holdSubscriptionLease({ subscriptions: stores.subscriptions, clock: fixedClock('2026-03-01T10:00:01.000Z'), logger }, SUBSCRIPTION_ID, async (lease) => {
        await expect(lease.releaseWith((releaseLease) => stores.subscriptions.update({ ...stored.value, planId: 'gold' }, stored.etag, { releaseLease }))).rejects.toBeInstanceOf(ConcurrencyConflictError);
        heldDuringWork = (await stores.subscriptions.leases.get(SUBSCRIPTION_ID)) !== undefined;
        return 'fell back';
      });

      // Assess
      expect(held).toEqual({ busy: false, value: 'fell back' });
      expect(heldDuringWork).toBe(true);
      expect(await stores.subscriptions.leases.get(SUBSCRIPTION_ID)).toBeUndefined();
      expect((await stores.subscriptions.get(SUBSCRIPTION_ID))?.value).toMatchObject({ name: 'Renamed', planId: 'basic' });
    });

    it('does not release with the write a lease it has not renewed for half its TTL (the transaction cannot check its ETag)', async () => {
      // Prepare: the clock jumps past half the TTL between taking the lease and the write
      const stores = createInMemoryTableStores();
      const stored = await stores.subscriptions.create(record());
      const { logger } = captureLogs();
      let now = Date.parse('2026-03-01T10:00:01.000Z');
      const clock = { now: () => new Date(now) };
      const asked: boolean[] = [];

      // Act
      await holdSubscriptionLease({ subscriptions: stores.subscriptions, clock, logger }, SUBSCRIPTION_ID, (lease) => {
        now += SUBSCRIPTION_LEASE_TTL_MS / 2 + 1;
        return lease.releaseWith((releaseLease) => {
          asked.push(releaseLease);
          return stores.subscriptions.update({ ...stored.value, planId: 'gold' }, stored.etag, { releaseLease });
        });
      });

      // Assess: written alone, and the lease freed by its own conditional delete
      expect(asked).toEqual([false]);
      expect(await stores.subscriptions.leases.get(SUBSCRIPTION_ID)).toBeUndefined();
      expect((await stores.subscriptions.get(SUBSCRIPTION_ID))?.value.planId).toBe('gold');
    });
  });
});
