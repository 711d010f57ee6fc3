import { chunked } from '../../../shared/reconciliation';
import { countingSource as numbers } from '../../support/countingSource';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('chunked', () => {
  it('groups the items in order into chunks of the size, the last one shorter', async () => {
    // Act
    const chunks = await collect(chunked(numbers(7, { count: 0 }), 3));

    // Assess
    expect(chunks).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('gives no chunk for an empty source and no trailing empty chunk when the size divides the count', async () => {
    // Act
    const empty = await collect(chunked(numbers(0, { count: 0 }), 3));
    const exact = await collect(chunked(numbers(6, { count: 0 }), 3));

    // Assess
    expect(empty).toEqual([]);
    expect(exact).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('pulls from the source only while a chunk is being filled', async () => {
    // Prepare
    const pulled = { count: 0 };
    const pulledWhenYielded: number[] = [];

    // Act
    for await (const chunk of chunked(numbers(10, pulled), 4)) pulledWhenYielded.push(pulled.count - chunk.length);

    // Assess
    expect(pulledWhenYielded).toEqual([0, 4, 8]);
  });

  it('stops pulling when the consumer stops', async () => {
    // Prepare
    const pulled = { count: 0 };

    // Act
    for await (const chunk of chunked(numbers(100, pulled), 5)) if (chunk[0] === 5) break;

    // Assess
    expect(pulled.count).toBe(10);
  });

  it('rethrows a failure of the source after the chunks completed before it', async () => {
    // Prepare
    const seen: number[][] = [];

    // Act
    const error = await (async () => {
      for await (const chunk of chunked(numbers(10, { count: 0 }, 5), 2)) seen.push(chunk);
    })().catch((caught: unknown) => caught);

    // Assess
    expect(error).toEqual(new Error('source failed at 5'));
    expect(seen).toEqual([[0, 1], [2, 3]]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses the size %p', (size) => {
    // Act
    const make = () => chunked(numbers(1, { count: 0 }), size);

    // Assess
    expect(make).toThrow(RangeError);
  });
});
