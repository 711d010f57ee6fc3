import { createUrlPolicy } from '../../../shared/marketplace/urls';
import { UntrustedHostError } from '../../../shared/marketplace/errors';

describe('createUrlPolicy', () => {
  const policy = createUrlPolicy('https://marketplaceapi.microsoft.com/api/', ['partner.example:8443']);

  it('builds URLs under the base path with api-version and the defined query values', () => {
    // Prepare
    const query = { planId: 'gold', other: undefined };

    // Act
    const url = policy.build('/saas/subscriptions/abc/listAvailablePlans', query);

    // Assess
    expect(url.href).toBe('https://marketplaceapi.microsoft.com/api/saas/subscriptions/abc/listAvailablePlans?api-version=2018-08-31&planId=gold');
  });

  it.each([
    'https://marketplaceapi.microsoft.com/api/saas/subscriptions?continuationToken=a',
    'https://main.prod.marketplaceapi.azure.com/api/saas/subscriptions?continuationToken=a',
    'https://MAIN.PROD.marketplaceapi.azure.com/api/x',
    'https://partner.example:8443/api/x',
  ])('trusts %s', (link) => {
    // Prepare
    const input = link;

    // Act
    const url = policy.follow(input);

    // Assess
    expect(url.searchParams.get('api-version')).toBe('2018-08-31');
  });

  it.each([
    ['another host', 'https://evil.example/api/x'],
    ['a look-alike suffix', 'https://marketplaceapi.microsoft.com.evil.example/api/x'],
    ['an allowed host on another port', 'https://marketplaceapi.microsoft.com:444/api/x'],
    ['plain http on an allowed host', 'http://main.prod.marketplaceapi.azure.com/api/x'],
    ['user info', 'https://user:pw@marketplaceapi.microsoft.com/api/x'],
    ['an allowed extra host on its default port', 'https://partner.example/api/x'],
  ])('refuses %s', (_name, link) => {
    // Prepare
    const input = link;

    // Act
    const follow = (): unknown => policy.follow(input);

    // Assess
    expect(follow).toThrow(UntrustedHostError);
  });

  it.each(['http://127.0.0.1:7071/api', 'http://localhost:7071/api', 'http://[::1]:7071/api'])('allows plain http to loopback base %s', (base) => {
    // Prepare
    const loopback = createUrlPolicy(base);

    // Act
    const url = loopback.build('/saas/subscriptions');

    // Assess
    expect(url.pathname).toBe('/api/saas/subscriptions');
  });
});
