/**
 * Runs `task` for every item of `items` with at most `limit` in flight, pulling the next item only
 * when a task finishes: with a lazily paged source, at most one page and `limit` items are held in
 * memory, whatever the total. The first error (from the source or a task) is rethrown once every
 * task in flight has settled.
 */
export async function forEachLimited<T>(items: AsyncIterable<T>, limit: number, task: (item: T) => Promise<void>): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const iterator = items[Symbol.asyncIterator]();
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const next = await iterator.next();
      if (next.done === true) return;
      await task(next.value);
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: limit }, () =>
      worker().catch((error: unknown) => {
        stopped = true;
        throw error;
      }),
    ),
  );
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}
