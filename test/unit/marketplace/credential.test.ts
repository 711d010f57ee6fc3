import { type TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { azureIdentityCredentials, createMarketplaceCredential, type CredentialConstructors } from '../../../shared/marketplace/credential';

function recordingConstructors(): { constructors: CredentialConstructors; calls: Array<{ type: string; args: unknown[] }> } {
  const calls: Array<{ type: string; args: unknown[] }> = [];
  const fake = (type: string) =>
    class implements TokenCredential {
      constructor(...args: unknown[]) {
        calls.push({ type, args });
      }
      getToken(): Promise<null> {
        return Promise.resolve(null);
      }
    };
  return {
    calls,
    constructors: { ClientSecretCredential: fake('clientSecret'), ManagedIdentityCredential: fake('managedIdentity') },
  };
}

describe('createMarketplaceCredential', () => {
  it('builds a ClientSecretCredential from tenant, client id and secret', () => {
    // Prepare
    const settings = { kind: 'clientSecret', tenantId: 'tenant', clientId: 'client', clientSecret: 'secret' } as const;

    // Act
    const credential = createMarketplaceCredential(settings);

    // Assess
    expect(credential).toBeInstanceOf(ClientSecretCredential);
  });

  it('passes a custom authority host and disables instance discovery for a local emulator', () => {
    // Prepare
    const { constructors, calls } = recordingConstructors();
    const settings = {
      kind: 'clientSecret',
      tenantId: 'tenant',
      clientId: 'client',
      clientSecret: 'secret',
      authorityHost: 'https://127.0.0.1:8443',
    } as const;

    // Act
    createMarketplaceCredential(settings, constructors);

    // Assess
    expect(calls).toEqual([
      { type: 'clientSecret', args: ['tenant', 'client', 'secret', { authorityHost: 'https://127.0.0.1:8443', disableInstanceDiscovery: true }] },
    ]);
  });

  it('uses the default authority when none is configured', () => {
    // Prepare
    const { constructors, calls } = recordingConstructors();

    // Act
    createMarketplaceCredential({ kind: 'clientSecret', tenantId: 't', clientId: 'c', clientSecret: 's' }, constructors);

    // Assess
    expect(calls).toEqual([{ type: 'clientSecret', args: ['t', 'c', 's', undefined] }]);
  });

  it.each([
    ['system-assigned', { kind: 'managedIdentity' } as const, []],
    ['user-assigned', { kind: 'managedIdentity', clientId: 'uami' } as const, [{ clientId: 'uami' }]],
  ])('builds a %s managed identity credential', (_name, settings, args) => {
    // Prepare
    const { constructors, calls } = recordingConstructors();

    // Act
    createMarketplaceCredential(settings, constructors);

    // Assess
    expect(calls).toEqual([{ type: 'managedIdentity', args }]);
  });

  it('defaults to the @azure/identity classes (checked without constructing the managed identity one)', () => {
    // Prepare
    const expected = { ClientSecretCredential, ManagedIdentityCredential };

    // Act
    const defaults = { ...azureIdentityCredentials };

    // Assess
    expect(defaults).toEqual(expected);
  });
});
