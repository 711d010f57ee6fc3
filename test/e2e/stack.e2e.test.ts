import { control, e2eStack, hostFetch, purchase } from './harness';

describe('the local stack', () => {
  it('serves the app through the local host with settings wired to the emulator', async () => {
    // Act
    const response = await hostFetch('/api/health');

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { configuration: 'ok' } });
    expect(e2eStack().settings.MARKETPLACE_API_BASE_URL).toBe(e2eStack().emulatorApiUrl);
  });

  it('points the emulator at the host for webhooks and the landing page', async () => {
    // Act
    const config = await control<{ webhookUrl: string; landingPageUrl: string }>('/config');
    const bought = await purchase({ offerId: 'contoso-analytics', planId: 'starter' });

    // Assess
    expect(config.webhookUrl).toBe(`${e2eStack().hostUrl}/api/webhook`);
    expect(bought.landingUrl.startsWith(`${e2eStack().hostUrl}/api/landing?token=`)).toBe(true);
  });
});
