import path from 'node:path';
import { isKnownSetting } from '../../../shared/config';
import { appSettingsByMode, checkAppSettings } from '../../../dev/infra/appSettings';
import { loadBicepFiles, parseBicep, type BicepFile } from '../../../dev/infra/bicep';

const functionFile = loadBicepFiles(path.join(__dirname, '..', '..', '..', 'infra')).find((f) => f.path === 'infra/app/function.bicep')!;

function changed(from: string | RegExp, to: string): BicepFile {
  const source = functionFile.source.replace(from, to);
  if (source === functionFile.source) throw new Error(`mutation ${String(from)} does not apply`);
  return parseBicep(functionFile.path, source);
}

describe('app settings of the deployment against shared/config.ts (one source of truth)', () => {
  it('evaluates the settings for every combination of the parameters that shape them', () => {
    // Act
    const modes = appSettingsByMode(functionFile);

    // Assess: auth mode x activation mode x Easy Auth x sign-in x three optional URLs
    expect(modes).toHaveLength(2 * 2 * 2 * 2 * 2 * 2 * 2);
    const managed = modes.find((m) => m.label.includes('marketplaceAuthMode=managedIdentity'))!;
    const secret = modes.find((m) => m.label.includes('marketplaceAuthMode=clientSecret'))!;
    expect(managed.settings.get('MARKETPLACE_AUTH_MODE')).toEqual({ kind: 'string', value: 'managedIdentity' });
    expect(managed.settings.has('MARKETPLACE_CLIENT_SECRET')).toBe(false);
    expect(secret.settings.get('MARKETPLACE_CLIENT_SECRET')).toMatchObject({ kind: 'opaque', text: expect.stringMatching(/^'@Microsoft\.KeyVault\(SecretUri=/) });
  });

  it('sets identity-based storage by service URIs for the host and the app, and source maps for the worker', () => {
    // Act
    const [first] = appSettingsByMode(functionFile);

    // Assess
    const keys = [...first!.settings.keys()];
    expect(keys).toEqual(
      expect.arrayContaining([
        'AzureWebJobsStorage__credential',
        'AzureWebJobsStorage__clientId',
        'AzureWebJobsStorage__blobServiceUri',
        'AzureWebJobsStorage__queueServiceUri',
        'AzureWebJobsStorage__tableServiceUri',
        'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
      ]),
    );
    expect(keys).not.toContain('AzureWebJobsStorage');
    expect(first!.settings.get('languageWorkers__node__arguments')).toEqual({ kind: 'string', value: '--enable-source-maps' });
  });

  it('finds nothing wrong with the deployment as it is', () => {
    // Act / Assess
    expect(checkAppSettings(functionFile)).toEqual([]);
  });

  it.each([
    ['an app setting shared/config.ts does not know', "  languageWorkers__node__arguments: '--enable-source-maps'\n", "  languageWorkers__node__arguments: '--enable-source-maps'\n  MARKETPLACE_CLIENTID: identityClientId\n", /app setting MARKETPLACE_CLIENTID is not a key of shared\/config\.ts SETTINGS/],
    ['a storage setting outside the schema (no prefix rule for AzureWebJobsStorage)', "  AzureWebJobsStorage__credential: 'managedidentity'\n", "  AzureWebJobsStorage__credential: 'managedidentity'\n  AzureWebJobsStorage__tableEndpoint: endpoints.table\n", /AzureWebJobsStorage__tableEndpoint is not a key/],
    ['the client secret omitted in clientSecret mode', /\n\s+MARKETPLACE_CLIENT_SECRET: '@Microsoft\.KeyVault\(SecretUri=\$\{marketplaceClientSecretUri\}\)'/, '', /MARKETPLACE_CLIENT_SECRET is required when MARKETPLACE_AUTH_MODE is clientSecret \(marketplaceAuthMode=clientSecret/],
    ['a secret as plain text', "LANDING_FORM_SECRET: '@Microsoft.KeyVault(SecretUri=${landingFormSecretUri})'", "LANDING_FORM_SECRET: 'a-plain-text-signing-key-of-forty-characters'", /LANDING_FORM_SECRET is a secret and must be a Key Vault reference/],
    ['the form secret omitted while confirm mode is possible', /\n\s+LANDING_FORM_SECRET: '@Microsoft\.KeyVault[^\n]+/, '', /LANDING_FORM_SECRET is required when LANDING_ACTIVATION_MODE is confirm \(.*landingActivationMode=confirm/],
    ['sign-in required without Easy Auth', 'enableEasyAuth && landingRequireSignIn ?', 'landingRequireSignIn ?', /LANDING_REQUIRE_SIGN_IN needs LANDING_EASY_AUTH=true .*enableEasyAuth=false, landingRequireSignIn=true/],
    ['a literal the schema refuses', "MARKETPLACE_AUTH_MODE: 'managedIdentity'", "MARKETPLACE_AUTH_MODE: 'ManagedIdentity'", /MARKETPLACE_AUTH_MODE must be clientSecret or managedIdentity/],
    ['a condition that cannot be decided offline', 'var supportSettings = empty(landingSupportUrl)', 'var supportSettings = contains(landingSupportUrl, \'x\')', /cannot decide/],
  ])('reports %s', (_what, from, to, expected) => {
    // Act
    const problems = checkAppSettings(changed(from, to));

    // Assess
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

describe('isKnownSetting: the schema, plus the platform prefix rule', () => {
  it.each([
    ['MARKETPLACE_AUTH_MODE', true],
    ['AzureWebJobsStorage__queueServiceUri', true],
    ['FUNCTIONS_EXTENSION_VERSION', true],
    ['APPLICATIONINSIGHTS_CONNECTION_STRING', true],
    ['languageWorkers__node__arguments', true],
    ['WEBSITE_RUN_FROM_PACKAGE', true],
    ['AzureWebJobsFeatureFlags', true],
    ['AzureWebJobsStorage__tableEndpoint', false],
    ['MARKETPLACE_CLIENTID', false],
    ['NODE_OPTIONS', false],
  ])('%s: %p', (name, known) => {
    // Act / Assess
    expect(isKnownSetting(name)).toBe(known);
  });

});
