import { type TokenCredential } from '@azure/core-auth';
import { identitySdk } from '../lazySdk';

/** How the app authenticates to the Marketplace API; produced by the config module. */
export type MarketplaceAuthSettings =
  | { kind: 'clientSecret'; tenantId: string; clientId: string; clientSecret: string; authorityHost?: string }
  | { kind: 'managedIdentity'; clientId?: string };

/** The credential classes, injectable so tests never construct a credential that probes the network. */
export interface CredentialConstructors {
  ClientSecretCredential: new (
    tenantId: string,
    clientId: string,
    clientSecret: string,
    options?: { authorityHost?: string; disableInstanceDiscovery?: boolean },
  ) => TokenCredential;
  ManagedIdentityCredential: new (options?: { clientId?: string }) => TokenCredential;
}

/** The real classes from @azure/identity (loaded when first read), used unless a test injects others. */
export const azureIdentityCredentials: CredentialConstructors = {
  get ClientSecretCredential() {
    return identitySdk().ClientSecretCredential;
  },
  get ManagedIdentityCredential() {
    return identitySdk().ManagedIdentityCredential;
  },
};

/**
 * Builds the credential for the Marketplace API. Both credential types cache tokens, so the client
 * can call `getToken` on every request. With `authorityHost` (a local emulator's authority),
 * instance discovery is disabled so the credential does not ask login.microsoftonline.com about it.
 */
export function createMarketplaceCredential(
  settings: MarketplaceAuthSettings,
  constructors: CredentialConstructors = azureIdentityCredentials,
): TokenCredential {
  switch (settings.kind) {
    case 'clientSecret': {
      const options =
        settings.authorityHost === undefined
          ? undefined
          : { authorityHost: settings.authorityHost, disableInstanceDiscovery: true };
      return new constructors.ClientSecretCredential(settings.tenantId, settings.clientId, settings.clientSecret, options);
    }
    case 'managedIdentity':
      return settings.clientId === undefined
        ? new constructors.ManagedIdentityCredential()
        : new constructors.ManagedIdentityCredential({ clientId: settings.clientId });
  }
}
