/**
 * The items of `items` in arrays of `size` (the last one may be shorter; an empty source gives
 * none), in order. The source is pulled only while a chunk is being filled, so with a lazily paged
 * source at most one page and one chunk are held in memory. A failure of the source is rethrown;
 * the items of the chunk it interrupted are not yielded.
 */
export function chunked<T>(items: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  return chunks(items, size);
}

async function* chunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
