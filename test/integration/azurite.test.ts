import { QueueServiceClient } from '@azure/storage-queue';
import { TableServiceClient } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';

describe('startAzurite', () => {
  let azurite: RunningAzurite;

  beforeAll(async () => {
    azurite = await startAzurite();
  });

  afterAll(async () => {
    await azurite.stop();
  });

  it('serves queues and tables on free loopback ports behind one connection string', async () => {
    // Prepare
    const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    const tables = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });

    // Act
    await queues.getQueueClient('smoke').createIfNotExists();
    await tables.createTable('smoke');
    const queueNames: string[] = [];
    for await (const q of queues.listQueues()) queueNames.push(q.name);
    const tableNames: string[] = [];
    for await (const t of tables.listTables()) tableNames.push(t.name ?? '');

    // Assess
    expect(azurite.queuePort).toBeGreaterThan(0);
    expect(azurite.tablePort).not.toBe(azurite.queuePort);
    expect(queueNames).toContain('smoke');
    expect(tableNames).toContain('smoke');
  });
});
