import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../../shared/errors';
import { SETTINGS, loadConfig, retentionSchedule, type Env } from '../../shared/config';

const sample = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'local.settings.sample.json'), 'utf8')) as {
  Values: Record<string, string>;
};

const validEnv: Env = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  MARKETPLACE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
  MARKETPLACE_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
  MARKETPLACE_CLIENT_SECRET: 's3cr3t-value',
};

function configError(env: Env): ConfigurationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('accepts local.settings.sample.json over the local wiring, which it leaves alone (empty values)', () => {
    // Prepare: `npm start` ignores empty values in local.settings.json
    const given = Object.fromEntries(Object.entries(sample.Values).filter(([, value]) => value.trim() !== ''));
    const wiring = { ...validEnv, MARKETPLACE_API_BASE_URL: 'http://127.0.0.1:7072/api', WEBHOOK_JWKS_URL: 'https://127.0.0.1:7073/keys' };

    // Act
    const config = loadConfig({ ...wiring, ...given });

    // Assess
    for (const key of ['AzureWebJobsStorage', 'MARKETPLACE_TENANT_ID', 'MARKETPLACE_CLIENT_ID', 'MARKETPLACE_CLIENT_SECRET', 'MARKETPLACE_AUTHORITY_HOST', 'MARKETPLACE_API_BASE_URL', 'WEBHOOK_JWKS_URL']) {
      expect(sample.Values[key]).toBe('');
    }
    expect(config.storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true', tablePrefix: '' });
    expect(config.marketplace.baseUrl).toBe('http://127.0.0.1:7072/api');
    expect(config.webhook.jwksUrl).toBe('https://127.0.0.1:7073/keys');
  });

  it('lists every setting of the schema in local.settings.sample.json', () => {
    // Assess
    expect(Object.keys(sample.Values)).toEqual(expect.arrayContaining(Object.keys(SETTINGS)));
  });

  it('applies documented defaults and returns a frozen object', () => {
    // Act
    const config = loadConfig(validEnv);

    // Assess
    expect(config.marketplace).toMatchObject({
      baseUrl: 'https://marketplaceapi.microsoft.com/api',
      requestTimeoutMs: 10_000,
      maxAttempts: 4,
      retryBudgetMs: 30_000,
      extraAllowedHosts: [],
      auth: { kind: 'clientSecret', clientSecret: 's3cr3t-value', tenantId: validEnv.MARKETPLACE_TENANT_ID },
    });
    expect(config.logLevel).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.marketplace.auth)).toBe(true);
    expect(() => {
      (config.marketplace as { baseUrl: string }).baseUrl = 'https://evil.example';
    }).toThrow(TypeError);
  });

  it('names every missing required key in one error', () => {
    // Act
    const error = configError({});

    // Assess
    expect(error.issues).toEqual(
      expect.arrayContaining([
        'MARKETPLACE_TENANT_ID is required',
        'MARKETPLACE_CLIENT_ID is required',
        'MARKETPLACE_CLIENT_SECRET is required when MARKETPLACE_AUTH_MODE is clientSecret',
        expect.stringMatching(/^AzureWebJobsStorage is required/),
      ]),
    );
    expect(error.issues).toHaveLength(4);
    expect(error.message).toContain('MARKETPLACE_TENANT_ID');
  });

  it.each([
    ['MARKETPLACE_TENANT_ID', 'not-a-guid', /MARKETPLACE_TENANT_ID must be a GUID/],
    ['MARKETPLACE_CLIENT_ID', '1234', /MARKETPLACE_CLIENT_ID must be a GUID/],
    ['MARKETPLACE_AUTH_MODE', 'certificate', /MARKETPLACE_AUTH_MODE must be clientSecret or managedIdentity/],
    ['MARKETPLACE_API_BASE_URL', 'http://marketplaceapi.microsoft.com/api', /MARKETPLACE_API_BASE_URL must use https/],
    ['MARKETPLACE_API_BASE_URL', 'not a url', /MARKETPLACE_API_BASE_URL must be an absolute URL/],
    ['MARKETPLACE_AUTHORITY_HOST', 'http://127.0.0.1:7073', /MARKETPLACE_AUTHORITY_HOST must be an https URL/],
    ['MARKETPLACE_REQUEST_TIMEOUT_MS', 'soon', /MARKETPLACE_REQUEST_TIMEOUT_MS must be a whole number from 1000 to 120000/],
    ['MARKETPLACE_MAX_ATTEMPTS', '0', /MARKETPLACE_MAX_ATTEMPTS must be a whole number from 1 to 10/],
    ['MARKETPLACE_RETRY_BUDGET_MS', '-5', /MARKETPLACE_RETRY_BUDGET_MS must be a whole number/],
    ['MARKETPLACE_EXTRA_ALLOWED_HOSTS', 'good.example, bad host', /MARKETPLACE_EXTRA_ALLOWED_HOSTS must be a comma-separated list/],
    ['MARKETPLACE_MANAGED_IDENTITY_CLIENT_ID', 'x', /MARKETPLACE_MANAGED_IDENTITY_CLIENT_ID must be a GUID/],
    ['STORAGE_TABLE_PREFIX', '1abc', /STORAGE_TABLE_PREFIX must be empty or start with a letter/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL must be debug, info, warn or error/],
    ['AzureWebJobsStorage__accountName', 'Not_Valid', /AzureWebJobsStorage__accountName must be a storage account name/],
  ])('names %s when it is malformed', (key, value, expected) => {
    // Act
    const error = configError({ ...validEnv, [key]: value });

    // Assess
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(expected);
  });

  it('names every malformed key together with every missing one', () => {
    // Act
    const error = configError({ MARKETPLACE_TENANT_ID: 'nope', LOG_LEVEL: 'loud', MARKETPLACE_MAX_ATTEMPTS: 'many' });

    // Assess
    const keys = error.issues.map((issue) => issue.split(' ')[0]);
    expect(keys.sort()).toEqual(
      ['AzureWebJobsStorage', 'LOG_LEVEL', 'MARKETPLACE_CLIENT_ID', 'MARKETPLACE_CLIENT_SECRET', 'MARKETPLACE_MAX_ATTEMPTS', 'MARKETPLACE_TENANT_ID'].sort(),
    );
  });

  it('never echoes a secret value in the error', () => {
    // Act
    const error = configError({ ...validEnv, AzureWebJobsStorage: '   ', MARKETPLACE_CLIENT_SECRET: '' });

    // Assess
    expect(error.message).not.toContain('s3cr3t');
    expect(error.issues).toContain('MARKETPLACE_CLIENT_SECRET is required when MARKETPLACE_AUTH_MODE is clientSecret');
  });

  it.each(['LANDING_FORM_SECRET', 'ISV_WEBHOOK_SECRET', 'MARKETPLACE_CLIENT_SECRET'])('refuses an unresolved Key Vault reference in %s instead of signing with its text', (key) => {
    // Prepare
    const reference = '@Microsoft.KeyVault(SecretUri=https://kv-abc.vault.azure.net/secrets/some-secret)';

    // Act
    const error = configError({ ...validEnv, ISV_WEBHOOK_URL: 'https://contoso.example/hooks', ISV_WEBHOOK_SECRET: 'k'.repeat(40), LANDING_FORM_SECRET: 'f'.repeat(40), [key]: reference });

    // Assess
    expect(error.issues).toEqual([`${key} is an unresolved Key Vault reference: the app's identity cannot read the secret yet (role Key Vault Secrets User) or it does not exist`]);
    expect(error.message).not.toContain('kv-abc');
  });

  it('echoes the offending value of a non-secret key so the operator sees the typo', () => {
    // Act
    const error = configError({ ...validEnv, LOG_LEVEL: 'verbose' });

    // Assess
    expect(error.issues[0]).toContain('(got "verbose")');
  });

  it('allows http for a loopback emulator and strips trailing slashes', () => {
    // Act
    const config = loadConfig({ ...validEnv, MARKETPLACE_API_BASE_URL: 'http://127.0.0.1:7072/api/' });

    // Assess
    expect(config.marketplace.baseUrl).toBe('http://127.0.0.1:7072/api');
  });

  it('builds managed identity auth without a client secret', () => {
    // Act
    const config = loadConfig({
      ...validEnv,
      MARKETPLACE_CLIENT_SECRET: undefined,
      MARKETPLACE_AUTH_MODE: 'managedIdentity',
      MARKETPLACE_MANAGED_IDENTITY_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    });

    // Assess
    expect(config.marketplace.auth).toEqual({ kind: 'managedIdentity', clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' });
  });

  it('builds identity-based storage settings from the account name', () => {
    // Act
    const config = loadConfig({ ...validEnv, AzureWebJobsStorage: undefined, AzureWebJobsStorage__accountName: 'contosofulfil' });

    // Assess
    expect(config.storage).toEqual({ kind: 'identity', accountName: 'contosofulfil', managedIdentityClientId: undefined, tablePrefix: '' });
  });

  it('builds identity-based storage settings from the table and queue service URIs that the deployment sets', () => {
    // Act
    const config = loadConfig({
      ...validEnv,
      AzureWebJobsStorage: undefined,
      AzureWebJobsStorage__credential: 'ManagedIdentity',
      AzureWebJobsStorage__clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      AzureWebJobsStorage__tableServiceUri: 'https://contosofulfil.table.core.windows.net/',
      AzureWebJobsStorage__queueServiceUri: 'https://contosofulfil.queue.core.windows.net/',
      AzureWebJobsStorage__blobServiceUri: 'https://contosofulfil.blob.core.windows.net/',
    });

    // Assess
    expect(config.storage).toEqual({
      kind: 'identity',
      tableServiceUri: 'https://contosofulfil.table.core.windows.net',
      queueServiceUri: 'https://contosofulfil.queue.core.windows.net',
      managedIdentityClientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      tablePrefix: '',
    });
  });

  it.each([
    [{ AzureWebJobsStorage__tableServiceUri: 'https://a.table.core.windows.net' }, /^AzureWebJobsStorage__queueServiceUri is required for identity-based storage/],
    [{ AzureWebJobsStorage__queueServiceUri: 'https://a.queue.core.windows.net' }, /^AzureWebJobsStorage__tableServiceUri is required for identity-based storage/],
    [{ AzureWebJobsStorage__tableServiceUri: 'http://a.table.core.windows.net', AzureWebJobsStorage__queueServiceUri: 'https://a.queue.core.windows.net' }, /^AzureWebJobsStorage__tableServiceUri must use https/],
    [{ AzureWebJobsStorage__accountName: 'acct', AzureWebJobsStorage__credential: 'connectionstring' }, /^AzureWebJobsStorage__credential must be managedidentity/],
  ])('refuses incomplete or malformed identity-based storage %j', (storage, expected) => {
    // Act
    const error = configError({ ...validEnv, AzureWebJobsStorage: undefined, ...storage });

    // Assess
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(expected);
  });

  it('parses the extra allowed hosts list', () => {
    // Act
    const config = loadConfig({ ...validEnv, MARKETPLACE_EXTRA_ALLOWED_HOSTS: ' Proxy.Contoso.com , 127.0.0.1:9000,' });

    // Assess
    expect(config.marketplace.extraAllowedHosts).toEqual(['proxy.contoso.com', '127.0.0.1:9000']);
  });
});

describe('loadConfig: webhook, landing page and ISV settings', () => {
  it('derives the webhook issuers, audiences and key set from the tenant and client ids', () => {
    // Act
    const { webhook } = loadConfig(validEnv);

    // Assess
    expect(webhook).toEqual({
      jwksUrl: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/discovery/v2.0/keys',
      issuers: ['https://sts.windows.net/11111111-2222-3333-4444-555555555555/', 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0'],
      audiences: ['66666666-7777-8888-9999-000000000000', 'api://66666666-7777-8888-9999-000000000000'],
      clockSkewSeconds: 60,
      maxBodyBytes: 65536,
    });
  });

  it.each([
    [{ LANDING_ACTIVATION_MODE: 'confirm' }, 'LANDING_FORM_SECRET is required when LANDING_ACTIVATION_MODE is confirm'],
    [{ LANDING_REQUIRE_SIGN_IN: 'true' }, 'LANDING_REQUIRE_SIGN_IN needs LANDING_EASY_AUTH=true (sign-in comes from App Service Authentication)'],
    [{ ISV_WEBHOOK_URL: 'https://isv.example/hooks' }, 'ISV_WEBHOOK_SECRET is required when ISV_WEBHOOK_URL or ISV_DECISION_URL is set'],
    [{ ISV_WEBHOOK_URL: 'https://isv.example/hooks', ISV_WEBHOOK_SECRET: 'short' }, 'ISV_WEBHOOK_SECRET must be at least 32 characters (use a random value)'],
    [{ LANDING_EASY_AUTH: 'yes' }, 'LANDING_EASY_AUTH must be true or false (got "yes")'],
    [{ WEBHOOK_ISSUERS: ' , ' }, 'WEBHOOK_ISSUERS must list at least one issuer (got " , ")'],
  ])('refuses %j with a reason', (extra, reason) => {
    // Act
    const error = configError({ ...validEnv, ...extra });

    // Assess
    expect(error.issues).toEqual([reason]);
  });

  it('reads the landing and ISV settings', () => {
    // Act
    const config = loadConfig({
      ...validEnv,
      LANDING_ACTIVATION_MODE: 'confirm',
      LANDING_FORM_SECRET: 'f'.repeat(32),
      LANDING_EASY_AUTH: 'TRUE',
      LANDING_REQUIRE_SIGN_IN: 'true',
      ISV_WEBHOOK_URL: 'http://127.0.0.1:9000/events',
      ISV_WEBHOOK_SECRET: 's'.repeat(40),
      WEBHOOK_AUDIENCES: 'a, b',
    });

    // Assess
    expect(config.landing).toMatchObject({ activationMode: 'confirm', easyAuth: true, requireSignIn: true, formTokenTtlSeconds: 900 });
    expect(config.isv).toMatchObject({ webhookUrl: 'http://127.0.0.1:9000/events', timeoutMs: 5000, decisionTimeoutMs: 4000 });
    expect(config.webhook.audiences).toEqual(['a', 'b']);
  });
});

describe('loadConfig: metering settings', () => {
  it('defaults to a 3-hour window margin, a 5-minute settle time and 10-minute claims, in milliseconds', () => {
    // Act
    const { metering } = loadConfig(validEnv);

    // Assess
    expect(metering).toEqual({ windowMarginMs: 10_800_000, settleMs: 300_000, claimTimeoutMs: 600_000 });
  });

  it('reads explicit values', () => {
    // Act
    const { metering } = loadConfig({ ...validEnv, METERING_WINDOW_MARGIN_MINUTES: '60', METERING_SETTLE_MINUTES: '15', METERING_CLAIM_TIMEOUT_SECONDS: '5' });

    // Assess
    expect(metering).toEqual({ windowMarginMs: 3_600_000, settleMs: 900_000, claimTimeoutMs: 5_000 });
  });

  it.each([
    ['METERING_SETTLE_MINUTES', '3', /METERING_SETTLE_MINUTES must be a whole number from 4 to 50/],
    ['METERING_WINDOW_MARGIN_MINUTES', '0', /METERING_WINDOW_MARGIN_MINUTES must be a whole number from 30 to 720/],
    ['METERING_CLAIM_TIMEOUT_SECONDS', 'soon', /METERING_CLAIM_TIMEOUT_SECONDS must be a whole number from 5 to 3600/],
  ])('refuses %s=%s, which would break the emission guarantees', (key, value, expected) => {
    // Act
    const error = configError({ ...validEnv, [key]: value });

    // Assess
    expect(error.issues).toEqual([expect.stringMatching(expected)]);
  });
});

describe('loadConfig: reconciliation and publisher operation settings', () => {
  it('defaults to an hourly reconciliation of 8 subscriptions at a time that checks outstanding operations, and polls for at most an hour', () => {
    // Act
    const { reconciliation, publisherOperations } = loadConfig(validEnv);

    // Assess
    expect(reconciliation).toEqual({ everyHours: 1, concurrency: 8, checkOperations: true });
    expect(publisherOperations).toEqual({ pollMaxDelaySeconds: 60, timeoutMs: 3_600_000 });
  });

  it('reads explicit values, 0 turning the reconciliation timer off', () => {
    // Act
    const config = loadConfig({
      ...validEnv,
      RECONCILE_EVERY_HOURS: '0',
      RECONCILE_CONCURRENCY: '16',
      RECONCILE_CHECK_OPERATIONS: 'false',
      PUBLISHER_OPERATION_POLL_MAX_SECONDS: '5',
      PUBLISHER_OPERATION_TIMEOUT_MINUTES: '10',
    });

    // Assess
    expect(config.reconciliation).toEqual({ everyHours: 0, concurrency: 16, checkOperations: false });
    expect(config.publisherOperations).toEqual({ pollMaxDelaySeconds: 5, timeoutMs: 600_000 });
  });

  it.each([
    ['RECONCILE_EVERY_HOURS', '5', /RECONCILE_EVERY_HOURS must be one of 0, 1, 2, 3, 4, 6, 8, 12, 24/],
    ['RECONCILE_CONCURRENCY', '0', /RECONCILE_CONCURRENCY must be a whole number from 1 to 32/],
    ['PUBLISHER_OPERATION_TIMEOUT_MINUTES', '2000', /PUBLISHER_OPERATION_TIMEOUT_MINUTES must be a whole number from 1 to 1440/],
  ])('refuses %s=%s with the allowed range', (key, value, expected) => {
    // Act
    const error = configError({ ...validEnv, [key]: value });

    // Assess
    expect(error.issues).toEqual([expect.stringMatching(expected)]);
  });
});

describe('loadConfig: retention settings', () => {
  it('defaults to erasing personal data 90 days after the end, daily at 03:40 UTC', () => {
    // Act
    const config = loadConfig(validEnv);

    // Assess
    expect(config.retention).toEqual({ personalDataDays: 90, schedule: '0 40 3 * * *' });
  });

  it('accepts 0 (timer off) and periods of at least 7 days, refusing shorter ones and bad schedules', () => {
    // Act
    const off = loadConfig({ ...validEnv, RETENTION_PERSONAL_DATA_DAYS: '0', RETENTION_SCHEDULE: '0 0 */6 * * *' });
    const error = configError({ ...validEnv, RETENTION_PERSONAL_DATA_DAYS: '3', RETENTION_SCHEDULE: '0 40 3 * *' });

    // Assess
    expect(off.retention).toEqual({ personalDataDays: 0, schedule: '0 0 */6 * * *' });
    expect(error.issues).toEqual([
      'RETENTION_PERSONAL_DATA_DAYS must be 0 (off) or at least 7 (got "3")',
      'RETENTION_SCHEDULE must be a six-field NCRONTAB expression (second minute hour day month weekday) (got "0 40 3 * *")',
    ]);
  });

  it('gives the timer registration the configured schedule, or the default when it is missing or invalid', () => {
    // Assess
    expect(retentionSchedule({ RETENTION_SCHEDULE: '0 15 2 * * 0' })).toBe('0 15 2 * * 0');
    expect(retentionSchedule({})).toBe('0 40 3 * * *');
    expect(retentionSchedule({ RETENTION_SCHEDULE: 'daily' })).toBe('0 40 3 * * *');
  });
});
