import { systemClock } from '../../../shared/clock';
import { acquireSubscriptionLease, holdSubscriptionLease, leaseId, SUBSCRIPTION_LEASE_TTL_MS } from '../../../shared/operations/subscriptionLease';
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
    const { operations } = createInMemoryTableStores();
    const taken = new Date('2026-03-01T10:00:00.000Z');
    expect(await acquireSubscriptionLease(operations, SUBSCRIPTION_ID, taken, SUBSCRIPTION_LEASE_TTL_MS)).toBeDefined();

    // Act
    const tooEarly = await acquireSubscriptionLease(operations, SUBSCRIPTION_ID, new Date(taken.getTime() + SUBSCRIPTION_LEASE_TTL_MS - 1), SUBSCRIPTION_LEASE_TTL_MS);
    const afterTtl = await acquireSubscriptionLease(operations, SUBSCRIPTION_ID, new Date(taken.getTime() + SUBSCRIPTION_LEASE_TTL_MS + 1), SUBSCRIPTION_LEASE_TTL_MS);

    // Assess
    expect(tooEarly).toBeUndefined();
    expect(afterTtl).toBeDefined();
  });

  it('is renewed while slow work runs, so nobody takes it over, and is free afterwards', async () => {
    // Prepare: a TTL of 150 ms and work that takes four times as long
    const { operations } = createInMemoryTableStores();
    const { logger } = captureLogs();
    const ttlMs = 150;
    const contender: Array<boolean> = [];

    // Act
    const held = await holdSubscriptionLease({ operations, clock: systemClock, logger }, SUBSCRIPTION_ID, async () => {
      for (let i = 0; i < 4; i += 1) {
        await sleep(ttlMs);
        contender.push((await acquireSubscriptionLease(operations, SUBSCRIPTION_ID, new Date(), ttlMs)) !== undefined);
      }
      return 'done';
    }, ttlMs);

    // Assess
    expect(held).toEqual({ busy: false, value: 'done' });
    expect(contender).toEqual([false, false, false, false]);
    expect((await operations.get(leaseId(SUBSCRIPTION_ID)))?.value.state).toBe('Completed');
    expect(await acquireSubscriptionLease(operations, SUBSCRIPTION_ID, new Date(), ttlMs)).toBeDefined();
  });

  it('answers busy, without running the work, while another worker holds it', async () => {
    // Prepare
    const { operations } = createInMemoryTableStores();
    const { logger } = captureLogs();
    await acquireSubscriptionLease(operations, SUBSCRIPTION_ID, new Date(), SUBSCRIPTION_LEASE_TTL_MS);
    const work = jest.fn(() => Promise.resolve('ran'));

    // Act
    const held = await holdSubscriptionLease({ operations, clock: systemClock, logger }, SUBSCRIPTION_ID, work);

    // Assess
    expect(held).toEqual({ busy: true });
    expect(work).not.toHaveBeenCalled();
  });
});
