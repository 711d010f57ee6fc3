import { InvocationContext } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { fixedClock } from '../../shared/clock';
import { loadConfig } from '../../shared/config';
import { buildDependencies } from '../../shared/dependencies';
import { QUEUE_NAMES } from '../../shared/storage';
import { buildSubscriptionRecord } from '../fixtures/buildSubscriptionRecord';
import { startFakeMarketplaceServer, type FakeMarketplaceServer } from '../fakes/fakeMarketplaceServer';
import { createFakeCredential } from '../fakes/fakeCredential';

describe('buildDependencies', () => {
  let azurite: RunningAzurite;
  let marketplace: FakeMarketplaceServer;

  beforeAll(async () => {
    azurite = await startAzurite();
    marketplace = await startFakeMarketplaceServer();
  });

  afterAll(async () => {
    await marketplace.close();
    await azurite.stop();
  });

  it('wires configuration to working storage, queue and marketplace adapters', async () => {
    // Prepare
    const config = loadConfig({
      AzureWebJobsStorage: azurite.connectionString,
      STORAGE_TABLE_PREFIX: 'deps',
      MARKETPLACE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      MARKETPLACE_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
      MARKETPLACE_CLIENT_SECRET: 'unused-with-an-injected-credential',
      MARKETPLACE_API_BASE_URL: marketplace.baseUrl,
    });
    const credential = createFakeCredential();
    const deps = buildDependencies(config, { marketplaceCredential: credential, clock: fixedClock('2026-01-01T00:00:00Z') });
    const record = buildSubscriptionRecord({ id: 'a1b2c3d4-0000-4000-8000-000000000001' });
    marketplace.reply({ status: 200, body: { plans: [] } });

    // Act
    await deps.subscriptions.create(record);
    const stored = await deps.subscriptions.get(record.id);
    const sent = await deps.queue(QUEUE_NAMES.activations).send({ subscriptionId: record.id });
    const plans = await deps.marketplace.listAvailablePlans(record.id);
    const logs: unknown[][] = [];
    deps.logger(new InvocationContext({ invocationId: 'inv-1', functionName: 'f', logHandler: (...args) => logs.push(args) })).info('hello');

    // Assess
    expect(stored?.value.id).toBe(record.id);
    expect(sent).toBeDefined();
    expect(plans).toEqual([]);
    expect(credential.scopes).toContain('20e940b3-4c77-4b0b-9a53-9e16a1b010a7/.default');
    // One JSON object per entry: its fields are properties of the record, not part of the text.
    expect(logs[0]).toEqual(['information', JSON.stringify({ message: 'hello', invocationId: 'inv-1', functionName: 'f' })]);
    expect(deps.clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
