import { type AccessToken, type GetTokenOptions, type TokenCredential } from '@azure/core-auth';

/** A TokenCredential that records the scopes asked for and returns a fixed token. */
export interface FakeCredential extends TokenCredential {
  readonly scopes: string[];
  readonly token: string;
}

export function createFakeCredential(token = 'fake-bearer-token'): FakeCredential {
  const scopes: string[] = [];
  return {
    scopes,
    token,
    getToken(scope: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      scopes.push(...(Array.isArray(scope) ? scope : [scope]));
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}
