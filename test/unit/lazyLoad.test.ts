import fs from 'node:fs';
import path from 'node:path';
import type * as Marketplace from '../../shared/marketplace';
import type * as StorageSettings from '../../shared/storage/storageSettings';

/**
 * Registering the functions (loading every file in functions/) must not evaluate the SDKs that
 * only invocations need: the storage clients, @azure/identity (MSAL) and jose are loaded on first
 * use (shared/lazySdk.ts). Each is replaced here by a module that throws when it is evaluated.
 */
const loaded: string[] = [];
function refuse(name: string): never {
  loaded.push(name);
  throw new Error(`${name} was loaded while registering functions`);
}
jest.mock('@azure/data-tables', () => refuse('@azure/data-tables'));
jest.mock('@azure/storage-queue', () => refuse('@azure/storage-queue'));
jest.mock('@azure/identity', () => refuse('@azure/identity'));
jest.mock('jose', () => refuse('jose'));

describe('loading the function registrations', () => {
  it('evaluates none of the SDKs that only invocations need, and loads them on first use', () => {
    const dir = path.resolve(__dirname, '..', '..', 'functions');
    const files = fs.readdirSync(dir).filter((file) => file.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    jest.isolateModules(() => {
      for (const file of files) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(path.join(dir, file));
      }
    });
    expect(loaded).toEqual([]);

    // The same guard trips as soon as a use needs an SDK (so the check above is not vacuous).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { azureIdentityCredentials } = require('../../shared/marketplace') as typeof Marketplace;
    expect(() => new azureIdentityCredentials.ManagedIdentityCredential()).toThrow('@azure/identity was loaded');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createTableClient } = require('../../shared/storage/storageSettings') as typeof StorageSettings;
    expect(() => createTableClient({ connectionString: 'UseDevelopmentStorage=true' }, 'x')).toThrow('@azure/data-tables was loaded');
    expect(loaded).toEqual(['@azure/identity', '@azure/data-tables']);
  });
});
