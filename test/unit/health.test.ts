import { loadConfig } from '../../shared/config';
import { checkHealth } from '../../shared/health';

describe('checkHealth', () => {
  it('reports ok when the configuration parses', () => {
    // Prepare
    const env = {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      MARKETPLACE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      MARKETPLACE_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
      MARKETPLACE_CLIENT_SECRET: 'secret',
    };

    // Act
    const report = checkHealth(() => loadConfig(env));

    // Assess
    expect(report).toEqual({ status: 'ok', checks: { configuration: 'ok' } });
  });

  it('reports unhealthy with the names, never the values, of bad settings', () => {
    // Act
    const report = checkHealth(() => loadConfig({ MARKETPLACE_CLIENT_SECRET: 'hunter2', LOG_LEVEL: 'loud' }));

    // Assess
    expect(report.status).toBe('unhealthy');
    expect(report.invalidSettings).toEqual(expect.arrayContaining(['MARKETPLACE_TENANT_ID', 'LOG_LEVEL', 'AzureWebJobsStorage']));
    expect(JSON.stringify(report)).not.toContain('hunter2');
    expect(JSON.stringify(report)).not.toContain('loud');
  });

  it('lets unexpected errors through', () => {
    // Act / Assess
    expect(() =>
      checkHealth(() => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});
