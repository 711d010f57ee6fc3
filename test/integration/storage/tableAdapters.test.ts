import { TableClient, TableServiceClient } from '@azure/data-tables';
import { ServiceError } from '../../../shared/errors';
import { createTableStores } from '../../../shared/storage/createTableStores';
import { historyKey } from '../../../shared/storage/historyStore';
import { buildHistoryEntry, buildSubscription } from '../../unit/storage/support/storageBuilders';
import { useAzurite } from '../../support/useAzurite';

// What the Table adapters put in Azure Table Storage, checked with the SDK directly.
const azurite = useAzurite();
let tableSet = 0;

function freshPrefix(): string {
  tableSet += 1;
  return `a${process.pid}x${tableSet}`;
}

function rawTable(name: string): TableClient {
  return TableClient.fromConnectionString(azurite().connectionString, name, { allowInsecureConnection: true });
}

describe('Table adapters on Azurite', () => {
  it('creates their tables on first use', async () => {
    // Prepare
    const prefix = freshPrefix();
    const stores = createTableStores({ connectionString: azurite().connectionString, tableNamePrefix: prefix });
    const service = TableServiceClient.fromConnectionString(azurite().connectionString, { allowInsecureConnection: true });

    // Act
    await stores.subscriptions.get('missing');
    await stores.operations.get('missing');
    await stores.history.list('missing');

    // Assess
    const names: string[] = [];
    for await (const table of service.listTables()) names.push(table.name ?? '');
    expect(names.filter((name) => name.startsWith(prefix)).sort()).toEqual([`${prefix}history`, `${prefix}operations`, `${prefix}subscriptions`]);
  });

  it('stores a subscription as one row keyed by id, filterable columns, nested objects as JSON and a schema version', async () => {
    // Prepare
    const prefix = freshPrefix();
    const { subscriptions } = createTableStores({ connectionString: azurite().connectionString, tableNamePrefix: prefix });
    const record = buildSubscription({ quantity: 7, isTest: true });

    // Act
    await subscriptions.create(record);

    // Assess
    const row = await rawTable(`${prefix}subscriptions`).getEntity<Record<string, unknown>>(record.id, 'subscription');
    expect(row).toMatchObject({ schemaVersion: 1, status: 'Subscribed', offerId: 'offer-a', planId: 'gold', isTest: true, quantity: 7 });
    expect(JSON.parse(row.termJson as string)).toEqual(record.term);
    expect(JSON.parse(row.purchaserJson as string)).toEqual(record.purchaser);
    expect(JSON.parse(row.allowedCustomerOperationsJson as string)).toEqual(record.allowedCustomerOperations);
  });

  it('reads rows whose integers were written as Int64 and timestamps as DateTime', async () => {
    // Prepare
    const prefix = freshPrefix();
    const { subscriptions } = createTableStores({ connectionString: azurite().connectionString, tableNamePrefix: prefix });
    const record = buildSubscription({ quantity: 3 });
    await subscriptions.create(record);
    const table = rawTable(`${prefix}subscriptions`);
    const row = await table.getEntity<Record<string, unknown>>(record.id, 'subscription');
    await table.updateEntity(
      { ...row, partitionKey: record.id, rowKey: 'subscription', quantity: 3n, createdAt: new Date('2026-01-01T00:00:00.000Z') },
      'Replace',
      { etag: row.etag },
    );

    // Act
    const read = await subscriptions.get(record.id);

    // Assess
    expect(read?.value).toMatchObject({ quantity: 3, createdAt: '2026-01-01T00:00:00.000Z' });
  });

  it('refuses to read a row written by a newer schema version', async () => {
    // Prepare
    const prefix = freshPrefix();
    const { subscriptions } = createTableStores({ connectionString: azurite().connectionString, tableNamePrefix: prefix });
    const record = buildSubscription();
    await subscriptions.create(record);
    const table = rawTable(`${prefix}subscriptions`);
    const row = await table.getEntity<Record<string, unknown>>(record.id, 'subscription');
    await table.updateEntity({ ...row, partitionKey: record.id, rowKey: 'subscription', schemaVersion: 2 }, 'Replace', { etag: row.etag });

    // Act
    const read = subscriptions.get(record.id);

    // Assess
    await expect(read).rejects.toMatchObject({ code: 'StoredEntityInvalid' });
    await expect(read).rejects.toBeInstanceOf(ServiceError);
  });

  it('lets four concurrent writers all land through updateWithRetry (none is lost)', async () => {
    // Prepare
    const { subscriptions } = createTableStores({ connectionString: azurite().connectionString, tableNamePrefix: freshPrefix() });
    const { value } = await subscriptions.create(buildSubscription({ quantity: 0, allowedCustomerOperations: [] }));
    const writers = ['a', 'b', 'c', 'd'];

    // Act
    await Promise.all(
      writers.map((writer) =>
        subscriptions.updateWithRetry(value.id, (current) => ({
          ...current,
          quantity: (current.quantity ?? 0) + 1,
          allowedCustomerOperations: [...current.allowedCustomerOperations, writer],
        }), { maxAttempts: 20 }),
      ),
    );

    // Assess
    const read = await subscriptions.get(value.id);
    expect(read?.value.quantity).toBe(4);
    expect([...(read?.value.allowedCustomerOperations ?? [])].sort()).toEqual(writers);
  });

  it('keeps a subscription’s history in its own partition, with one marker row per idempotency key', async () => {
    // Prepare
    const prefix = freshPrefix();
    const { history } = createTableStores({ connectionString: azurite().connectionString, tableNamePrefix: prefix });
    const entry = buildHistoryEntry({ subscriptionId: 'sub-raw', operationId: 'op-1', idempotencyKey: historyKey('op-1', 'PlanChanged') });

    // Act
    await history.append(entry);
    await history.append(entry);
    await history.append(buildHistoryEntry({ subscriptionId: 'sub-raw' }));

    // Assess
    const rowKeys: string[] = [];
    for await (const row of rawTable(`${prefix}history`).listEntities()) rowKeys.push(`${row.partitionKey}|${(row.rowKey ?? '').slice(0, 2)}`);
    expect(rowKeys.sort()).toEqual(['sub-raw|e_', 'sub-raw|e_', 'sub-raw|k_']);
  });
});
