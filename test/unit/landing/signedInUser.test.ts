import { readSignedInUser, signInLocation } from '../../../shared/landing';

function principalHeader(claims: Array<{ typ: string; val: string }>): string {
  const principal = { auth_typ: 'aad', name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', role_typ: 'roles', claims };
  return Buffer.from(JSON.stringify(principal), 'utf8').toString('base64');
}

const SIGNED_IN = new Headers({
  'x-ms-client-principal': principalHeader([
    { typ: 'name', val: 'Dana Buyer' },
    { typ: 'preferred_username', val: 'dana@fabrikam.example' },
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'oid-1' },
  ]),
  'x-ms-client-principal-name': 'dana@fabrikam.example',
  'x-ms-client-principal-id': 'oid-1',
  'x-ms-client-principal-idp': 'aad',
});

describe('readSignedInUser', () => {
  it('reads the name, sign-in name and object id App Service Authentication passes on', () => {
    // Prepare (the headers above)

    // Act
    const user = readSignedInUser(SIGNED_IN, { trusted: true });

    // Assess
    expect(user).toEqual({ name: 'Dana Buyer', username: 'dana@fabrikam.example', userId: 'oid-1', identityProvider: 'aad' });
  });

  it('ignores the headers when Easy Auth is not in front, since anybody can send them', () => {
    // Prepare (the same headers, now from an untrusted caller)

    // Act
    const user = readSignedInUser(SIGNED_IN, { trusted: false });

    // Assess
    expect(user).toBeUndefined();
  });

  it('falls back to the name and id headers when the principal is not valid base64 JSON', () => {
    // Prepare
    const headers = new Headers({ 'x-ms-client-principal': 'not json', 'x-ms-client-principal-name': 'dana@fabrikam.example', 'x-ms-client-principal-id': 'oid-1' });

    // Act
    const user = readSignedInUser(headers, { trusted: true });

    // Assess
    expect(user).toEqual({ name: 'dana@fabrikam.example', userId: 'oid-1' });
  });

  it('uses the claim named by name_typ when there is no name claim', () => {
    // Prepare
    const headers = new Headers({
      'x-ms-client-principal': principalHeader([{ typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', val: 'dana@fabrikam.example' }]),
    });

    // Act
    const user = readSignedInUser(headers, { trusted: true });

    // Assess
    expect(user?.name).toBe('dana@fabrikam.example');
  });

  it('finds nobody signed in when no principal header is present', () => {
    // Prepare
    const headers = new Headers({ accept: 'text/html' });

    // Act
    const user = readSignedInUser(headers, { trusted: true });

    // Assess
    expect(user).toBeUndefined();
  });
});

describe('signInLocation', () => {
  it('sends the buyer to the Entra login and back to the same page with the token intact', () => {
    // Prepare
    const current = 'https://saas.contoso.example/api/landing?token=ab%2Bcd%2F%3D';

    // Act
    const location = signInLocation(current);

    // Assess
    const back = new URL(location, 'https://saas.contoso.example').searchParams.get('post_login_redirect_uri');
    expect(location.startsWith('/.auth/login/aad?post_login_redirect_uri=')).toBe(true);
    expect(back).toBe('/api/landing?token=ab%2Bcd%2F%3D');
  });
});
