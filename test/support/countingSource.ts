/**
 * 0, 1, … count-1 as a lazy async source, one microtask per item, counting in `pulled` how many it
 * has produced (so a test sees how far a consumer pulled); throws at index `failAt` if given.
 */
export async function* countingSource(count: number, pulled: { count: number }, failAt?: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i += 1) {
    await Promise.resolve();
    if (i === failAt) throw new Error(`source failed at ${i}`);
    pulled.count += 1;
    yield i;
  }
}
