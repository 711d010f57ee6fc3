import type { TableClient } from '@azure/data-tables';
import { ValidationError } from '../../../shared/errors';
import { SUBSCRIPTION_ROW_KEY, subscriptionCodec } from '../../../shared/storage/subscriptionEntity';
import { TableSubscriptionStore } from '../../../shared/storage/tableSubscriptionStore';
import { MAX_FILTER_COMPARISONS } from '../../../shared/storage/versionedTable';
import { buildSubscription } from './support/storageBuilders';

let tables = 0;

/** A TableClient that answers queries from `rows` by evaluating the `PartitionKey eq '…'` comparisons of the filter. */
function queryingClient(rows: Array<Record<string, unknown>>): { client: TableClient; filters: string[] } {
  const filters: string[] = [];
  tables += 1;
  const client = {
    url: 'http://127.0.0.1/devstoreaccount1',
    tableName: `getmany${tables}`,
    createTable: () => Promise.resolve(),
    listEntities: ({ queryOptions }: { queryOptions: { filter: string } }) => {
      filters.push(queryOptions.filter);
      const keys = [...queryOptions.filter.matchAll(/PartitionKey eq '((?:[^']|'')*)'/g)].map((match) => match[1]?.replace(/''/g, "'"));
      const matching = rows.filter((row) => keys.includes(row.partitionKey as string));
      return (async function* () {
        await Promise.resolve();
        yield* matching;
      })();
    },
  };
  return { client: client as unknown as TableClient, filters };
}

function stored(id: string, rowKey = SUBSCRIPTION_ROW_KEY): Record<string, unknown> {
  return { ...subscriptionCodec.toEntity(buildSubscription({ id })), rowKey, etag: `W/"${id}"` };
}

describe('TableSubscriptionStore.getMany queries', () => {
  it(`asks at most ${MAX_FILTER_COMPARISONS} comparisons per query and covers every id once`, async () => {
    // Prepare
    const ids = Array.from({ length: 40 }, (_, i) => `sub-${i}`);
    const { client, filters } = queryingClient(ids.map((id) => stored(id)));

    // Act
    const found = await new TableSubscriptionStore(client).getMany([...ids, 'sub-0']);

    // Assess
    expect(filters.map((filter) => filter.split(' eq ').length - 1)).toEqual([15, 15, 10]);
    expect(filters.flatMap((filter) => [...filter.matchAll(/'([^']*)'/g)].map((match) => match[1])).sort()).toEqual([...ids].sort());
    expect([...found.keys()].sort()).toEqual([...ids].sort());
    expect(found.get('sub-7')?.etag).toBe('W/"sub-7"');
  });

  it('escapes quotes, so that an id cannot widen the query', async () => {
    // Prepare
    const id = "x' or PartitionKey ne '";
    const { client, filters } = queryingClient([stored(id), stored('other')]);

    // Act
    const found = await new TableSubscriptionStore(client).getMany([id]);

    // Assess
    expect(filters).toEqual(["PartitionKey eq 'x'' or PartitionKey ne '''"]);
    expect([...found.keys()]).toEqual([id]);
  });

  it('ignores a row of an asked partition whose RowKey is not the subscription row', async () => {
    // Prepare
    const { client } = queryingClient([stored('sub-1', 'something-else')]);

    // Act
    const found = await new TableSubscriptionStore(client).getMany(['sub-1']);

    // Assess
    expect(found.size).toBe(0);
  });

  it('queries nothing for no ids, and nothing at all when one id is invalid', async () => {
    // Prepare
    const { client, filters } = queryingClient([]);
    const store = new TableSubscriptionStore(client);

    // Act
    const empty = await store.getMany([]);
    const invalid = store.getMany(['sub-1', 'a/b']);

    // Assess
    await expect(invalid).rejects.toBeInstanceOf(ValidationError);
    expect(empty.size).toBe(0);
    expect(filters).toEqual([]);
  });
});
