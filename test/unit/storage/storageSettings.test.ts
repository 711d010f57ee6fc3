import { ConfigurationError } from '../../../shared/errors';
import { createQueue } from '../../../shared/storage/createQueue';
import { createTableStores } from '../../../shared/storage/createTableStores';
import { isValidQueueName, QUEUE_NAMES } from '../../../shared/storage/queueNames';
import { createQueueClient, createTableClient, serviceUri, usesPlainHttp } from '../../../shared/storage/storageSettings';
import { loadConfig } from '../../../shared/config';
import { storageSettingsFrom } from '../../../shared/dependencies';
import { tableName, TABLE_NAMES } from '../../../shared/storage/tableNames';
import { createFakeCredential } from '../../fakes/fakeCredential';

describe('storage settings', () => {
  it.each([
    ['UseDevelopmentStorage=true', true],
    ['DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;', true],
    ['DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:1/acct;', true],
    ['DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=a2V5', true],
    ['DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net', false],
    ['DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=a2V5;TableEndpoint=https://acct.table.core.windows.net/', false],
  ])('decides whether %s needs allowInsecureConnection (%p)', (connectionString, expected) => {
    // Prepare / Act
    const insecure = usesPlainHttp(connectionString);

    // Assess
    expect(insecure).toBe(expected);
  });

  it('derives the service URIs from the account name unless they are given', () => {
    // Prepare
    const credential = createFakeCredential();

    // Act
    const derived = [serviceUri({ accountName: 'acct', credential }, 'table'), serviceUri({ accountName: 'acct', credential }, 'queue')];
    const explicit = serviceUri({ accountName: 'acct', tableServiceUri: 'https://tables.example/', credential }, 'table');

    // Assess
    expect(derived).toEqual(['https://acct.table.core.windows.net', 'https://acct.queue.core.windows.net']);
    expect(explicit).toBe('https://tables.example/');
  });

  it('builds clients on the configured service URIs when no account name is given (the deployment\'s form)', () => {
    // Prepare
    const config = loadConfig({
      MARKETPLACE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      MARKETPLACE_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
      MARKETPLACE_AUTH_MODE: 'managedIdentity',
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__tableServiceUri: 'https://tables.contoso.example/',
      AzureWebJobsStorage__queueServiceUri: 'https://queues.contoso.example/',
    });
    const credential = createFakeCredential();

    // Act
    const settings = storageSettingsFrom(config.storage, credential);
    const table = createTableClient(settings, tableName('history', ''));
    const queue = createQueueClient(settings, QUEUE_NAMES.operations);

    // Assess
    expect([table.url, queue.url]).toEqual(['https://tables.contoso.example', 'https://queues.contoso.example/operations']);
    expect(credential.scopes).toEqual([]);
  });

  it('refuses identity settings with neither an account name nor a service URI', () => {
    // Prepare
    const settings = { credential: createFakeCredential() };

    // Act
    const resolve = (): string => serviceUri(settings, 'queue');

    // Assess
    expect(resolve).toThrow(ConfigurationError);
  });

  it('builds identity-based stores and queues without asking for a token until they are used', () => {
    // Prepare
    const credential = createFakeCredential();
    const settings = { accountName: 'acct', credential, tableNamePrefix: 'blue' };

    // Act
    createTableStores(settings);
    const queue = createQueue(settings, QUEUE_NAMES.operations);
    const client = createTableClient(settings, tableName('history', 'blue'));

    // Assess
    expect(credential.scopes).toEqual([]);
    expect(queue.name).toBe('operations');
    expect([client.url, client.tableName]).toEqual(['https://acct.table.core.windows.net', 'bluehistory']);
  });

  it('names tables with the prefix in front, and refuses a prefix that makes an invalid table name', () => {
    // Prepare
    const kinds = Object.keys(TABLE_NAMES) as Array<keyof typeof TABLE_NAMES>;

    // Act
    const names = kinds.map((kind) => tableName(kind, 'test42'));

    // Assess
    expect(names).toEqual(['test42subscriptions', 'test42operations', 'test42history']);
    expect(() => tableName('history', 'my-')).toThrow(ConfigurationError);
    expect(() => tableName('history', '1')).toThrow(ConfigurationError);
  });

  it('declares only valid queue names, and createQueue refuses an invalid one', () => {
    // Prepare
    const names = Object.values(QUEUE_NAMES);

    // Act
    const invalid = names.filter((name) => !isValidQueueName(name));

    // Assess
    expect(invalid).toEqual([]);
    expect(names).toEqual(['activations', 'operations', 'publisher-operations']);
    for (const bad of ['Jobs', 'jobs--x', 'jobs_x', 'a']) {
      expect(() => createQueue({ connectionString: 'UseDevelopmentStorage=true' }, bad)).toThrow(ConfigurationError);
    }
  });
});
