import { forEachLimited } from '../../../shared/reconciliation';

async function* numbers(count: number, pulled: { count: number }, failAt?: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i += 1) {
    await Promise.resolve();
    if (i === failAt) throw new Error(`source failed at ${i}`);
    pulled.count += 1;
    yield i;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('forEachLimited', () => {
  it('runs every item with at most `limit` in flight and never pulls ahead of the tasks', async () => {
    // Prepare
    const pulled = { count: 0 };
    const done: number[] = [];
    let inFlight = 0;
    let most = 0;
    let mostPulledAhead = 0;

    // Act
    await forEachLimited(numbers(20, pulled), 3, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      mostPulledAhead = Math.max(mostPulledAhead, pulled.count - done.length);
      await tick();
      done.push(item);
      inFlight -= 1;
    });

    // Assess
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
    expect(mostPulledAhead).toBeLessThanOrEqual(3);
  });

  it('rethrows a failure of the source once the tasks in flight have settled', async () => {
    // Prepare
    const pulled = { count: 0 };
    const finished: number[] = [];

    // Act
    const error = await forEachLimited(numbers(10, pulled, 5), 2, async (item) => {
      await tick();
      finished.push(item);
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toEqual(new Error('source failed at 5'));
    expect(finished.length).toBe(pulled.count);
  });

  it('rethrows a failing task and pulls nothing more', async () => {
    // Prepare
    const pulled = { count: 0 };

    // Act
    const error = await forEachLimited(numbers(100, pulled), 1, (item) => (item === 2 ? Promise.reject(new Error('task failed')) : Promise.resolve())).catch((caught: unknown) => caught);

    // Assess
    expect(error).toEqual(new Error('task failed'));
    expect(pulled.count).toBe(3);
  });

  it('refuses a limit below 1', async () => {
    // Act
    const error = await forEachLimited(numbers(1, { count: 0 }), 0, () => Promise.resolve()).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(RangeError);
  });
});
