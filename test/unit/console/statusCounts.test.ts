import { fixedClock } from '../../../shared/clock';
import { cachedStatusCounts, STATUS_COUNTS_TTL_MS } from '../../../shared/console/statusCounts';
import { InMemoryStatusCounter } from '../../fakes/inMemoryStatusCounter';
import { InMemorySubscriptionStore } from '../../fakes/inMemorySubscriptionStore';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';
import { consoleRig, READER, text } from './consoleRig';

const NOW = '2026-03-02T12:00:00.000Z';

function id(i: number): string {
  return `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
}

async function storeWith(statuses: ReadonlyArray<'Subscribed' | 'Suspended' | 'Unsubscribed'>) {
  const store = new InMemorySubscriptionStore();
  for (const [i, status] of statuses.entries()) await store.create(buildSubscriptionRecord({ id: id(i), status }));
  return store;
}

describe('cachedStatusCounts', () => {
  it('counts once per minute: calls within the window get the same figures and time, the first one after it counts again', async () => {
    // Prepare
    const store = await storeWith(['Subscribed', 'Subscribed', 'Suspended']);
    const counter = new InMemoryStatusCounter(store);
    const clock = fixedClock(NOW);
    const counts = cachedStatusCounts(counter, clock);

    // Act
    const first = await counts();
    await store.create(buildSubscriptionRecord({ id: id(9), status: 'Unsubscribed' }));
    clock.advance(STATUS_COUNTS_TTL_MS - 1);
    const within = await counts();
    clock.advance(1);
    const after = await counts();

    // Assess
    expect(first).toEqual({ counts: expect.objectContaining({ Subscribed: 2, Suspended: 1, Unsubscribed: 0 }), countedAt: NOW });
    expect(within).toEqual(first);
    expect(after.counts).toEqual(expect.objectContaining({ Subscribed: 2, Suspended: 1, Unsubscribed: 1 }));
    expect(after.countedAt).toBe(new Date(Date.parse(NOW) + STATUS_COUNTS_TTL_MS).toISOString());
    expect(counter.calls).toBe(2);
  });

  it('lets concurrent callers share one count', async () => {
    // Prepare
    const counter = new InMemoryStatusCounter(await storeWith(['Subscribed']));
    const counts = cachedStatusCounts(counter, fixedClock(NOW));

    // Act
    const results = await Promise.all([counts(), counts(), counts()]);

    // Assess
    expect(counter.calls).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('keeps no failed count: the next call counts again', async () => {
    // Prepare
    let calls = 0;
    const flaky = {
      countByStatus: () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('storage unavailable')) : new InMemoryStatusCounter(new InMemorySubscriptionStore()).countByStatus();
      },
    };
    const counts = cachedStatusCounts(flaky, fixedClock(NOW));

    // Act
    const failed = counts();
    await expect(failed).rejects.toThrow('storage unavailable');
    const next = await counts();

    // Assess
    expect(calls).toBe(2);
    expect(next.counts.Subscribed).toBe(0);
  });
});

describe('console overview: subscriptions by status', () => {
  it('shows every subscription counted (no cap), the total and when it was counted, and reuses the count for a minute', async () => {
    // Prepare
    const rig = await consoleRig();
    // More than the 5,000 rows the overview used to stop at; the rig already holds one Subscribed subscription.
    for (let i = 0; i < 5_200; i += 1) await rig.subscriptions.create(buildSubscriptionRecord({ id: id(i), status: i % 4 === 0 ? 'Suspended' : 'Subscribed' }));

    // Act
    const first = text(await rig.call('GET', '/api/console', { as: READER }));
    const second = text(await rig.call('GET', '/api/console', { as: READER }));

    // Assess
    expect(first).toContain('status=Subscribed">Subscribed</a></td><td>3901</td>');
    expect(first).toContain('status=Suspended">Suspended</a></td><td>1300</td>');
    expect(first).toContain('5201 in all, counted at 2026-03-02 12:00:00 UTC');
    expect(second).toBe(first);
    expect(rig.statusCounter.calls).toBe(1);
  });

  it('says the counts are unknown when counting fails, and still renders the rest of the overview', async () => {
    // Prepare
    const rig = await consoleRig();
    rig.deps.statusCounts = () => Promise.reject(new Error('table unavailable'));

    // Act
    const response = await rig.call('GET', '/api/console', { as: READER });

    // Assess
    expect(response.status).toBe(200);
    expect(text(response)).toContain('Subscriptions could not be counted: table unavailable');
    expect(text(response)).toContain('Poison queues');
  });
});
