import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isKnownSetting } from '../../../shared/config';
import { appSettingsByMode, checkAppSettings } from '../../../dev/infra/appSettings';
import { loadBicepFiles, parseBicep, type BicepFile } from '../../../dev/infra/bicep';
import { runInfraCheck, type CommandResult } from '../../../dev/infra/check';
import { CHECKS, checkInfraFolder } from '../../../dev/infra/checks';

// Every test that parses Bicep stays in this file: see the note on the parser in dev/infra/bicep.ts.

const infraDir = path.join(__dirname, '..', '..', '..', 'infra');
const files = loadBicepFiles(infraDir);

/** The infra files with one replacement in one of them; fails when the text to replace is not there. */
function mutated(file: string, from: string | RegExp, to: string): BicepFile[] {
  return files.map((f) => {
    if (!f.path.endsWith(file)) return f;
    const source = f.source.replace(from, to);
    if (source === f.source) throw new Error(`mutation ${String(from)} does not apply to ${file}`);
    return parseBicep(f.path, source);
  });
}

function problemsOf(check: string, changed: BicepFile[]): string[] {
  const found = CHECKS.find((c) => c.name.startsWith(check));
  if (found === undefined) throw new Error(`no check named ${check}`);
  return found.run(changed, infraDir);
}

describe('offline checks of infra/ (tree-sitter-bicep)', () => {
  it('parses every Bicep file of the deployment', () => {
    // Assess
    expect(files.map((f) => f.path).sort()).toEqual(
      ['infra/app/alerts.bicep', 'infra/app/function.bicep', 'infra/app/keyvault.bicep', 'infra/app/rbac.bicep', 'infra/main.bicep'],
    );
  });

  it.each(CHECKS.map((c) => c.name))('passes: %s', (name) => {
    // Act
    const problems = CHECKS.find((c) => c.name === name)!.run(files, infraDir);

    // Assess
    expect(problems).toEqual([]);
  });

  it.each([
    ['syntax', 'app/rbac.bicep', /\n}\n*$/, '\n', /infra\/app\/rbac\.bicep:\d+:\d+ (missing|syntax error)/],
    ['registry modules', 'main.bicep', 'user-assigned-identity:0.4.1', 'user-assigned-identity:0.4', /pinned to an exact version/],
    ['plan', 'main.bicep', "name: 'FC1'", "name: 'Y1'", /plan SKU name must be FC1 \(found 'Y1'\)/],
    ['function app', 'app/function.bicep', "version: '22'", "version: '20'", /runtime version must be 22/],
    ['function app', 'app/function.bicep', "type: 'UserAssignedIdentity'", "type: 'StorageAccountConnectionString'", /deployment storage authentication must be UserAssignedIdentity/],
    ['storage', 'main.bicep', 'allowSharedKeyAccess: false', 'allowSharedKeyAccess: true', /allowSharedKeyAccess must be false/],
    ['storage', 'main.bicep', "minimumTlsVersion: 'TLS1_2'", "minimumTlsVersion: 'TLS1_0'", /minimumTlsVersion must be TLS1_2/],
    ['roles', 'app/rbac.bicep', "'0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'", "'b24988ac-6180-42a0-ab88-20f7382dd24c'", /role b24988ac-6180-42a0-ab88-20f7382dd24c is not one the app needs/],
    ['roles', 'app/rbac.bicep', 'scope: storageAccount\n', '', /must be scoped to one resource of this file \(found no scope/],
    ['roles', 'app/rbac.bicep', 'scope: appInsights\n', 'scope: storageAccount\n', /Monitoring Metrics Publisher must be scoped to a Microsoft\.Insights\/components/],
    ['Key Vault', 'app/keyvault.bicep', 'enableRbacAuthorization: true', 'enableRbacAuthorization: false', /enableRbacAuthorization must be true/],
    ['monitoring', 'main.bicep', 'disableLocalAuth: true', 'disableLocalAuth: false', /disableLocalAuth must be true/],
    ['secrets', 'main.bicep', "@secure()\n@minLength(32)\n@description('Key that signs the landing", "@minLength(32)\n@description('Key that signs the landing", /parameter landingFormSecret holds a secret and must be @secure\(\)/],
    ['secrets', 'main.bicep', 'output AZURE_LOCATION string = location', "output AZURE_LOCATION string = '${location}${isvWebhookSecret}'", /output AZURE_LOCATION exposes a secret \(isvWebhookSecret\)/],
    ['parameters', 'main.bicep', "@description('Name of the resource group; empty: rg-<environmentName>.')\n", '', /parameter resourceGroupName needs a @description/],
    ['alerts', 'app/alerts.bicep', 'name == "queue.poisoned"', 'name == "queue.poison"', /metric queue\.poison, which is not in the shared metrics contract/],
    ['alerts', 'app/alerts.bicep', 'name == "marketplace.calls"', 'name == "webhook.received"', /no alert rule on marketplace\.calls/],
  ])('%s: fails when %s changes %s', (check, file, from, to, expected) => {
    // Act
    const problems = problemsOf(check, mutated(file, from, to));

    // Assess
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('parameters: fails when main.parameters.json does not map a required parameter', () => {
    // Prepare
    const copy = mkdtempSync(path.join(tmpdir(), 'infra-'));
    try {
      cpSync(infraDir, path.join(copy, 'infra'), { recursive: true });
      const parametersFile = path.join(copy, 'infra', 'main.parameters.json');
      const parameters = JSON.parse(readFileSync(parametersFile, 'utf8')) as { parameters: Record<string, unknown> };
      delete parameters.parameters.isvWebhookSecret;
      writeFileSync(parametersFile, JSON.stringify(parameters));

      // Act
      const { results } = checkInfraFolder(path.join(copy, 'infra'));

      // Assess
      expect(results.find((r) => r.name.startsWith('parameters'))?.problems).toEqual(['infra/main.parameters.json must map the required parameter isvWebhookSecret']);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

const functionFile = files.find((f) => f.path === 'infra/app/function.bicep')!;

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



function check(bicep: (args: string[]) => CommandResult): { code: number; output: string; calls: string[][] } {
  const lines: string[] = [];
  const calls: string[][] = [];
  const code = runInfraCheck(infraDir, (line) => lines.push(line), (command, args) => {
    calls.push([command, ...args]);
    return bicep(args);
  });
  return { code, output: lines.join('\n'), calls };
}

describe('npm run infra:check', () => {
  it('says plainly that bicep build and lint did not run when no bicep is on the PATH', () => {
    // Act
    const { code, output, calls } = check(() => ({ status: null, stdout: '', stderr: '' }));

    // Assess
    expect(code).toBe(0);
    expect(output).toContain(`${CHECKS.length} of ${CHECKS.length} offline checks passed.`);
    expect(output).toContain('bicep build / bicep lint: NOT run (no `bicep` executable on the PATH');
    expect(calls).toEqual([['bicep', '--version']]);
  });

  it('runs bicep build and bicep lint of main.bicep when bicep is there, and fails with the linter', () => {
    // Act
    const { code, output, calls } = check((args) =>
      args[0] === 'lint' ? { status: 1, stdout: 'main.bicep(12,7) : Warning no-unused-params: Parameter "x" is declared but never used.', stderr: '' } : { status: 0, stdout: '{}', stderr: '' },
    );

    // Assess
    expect(code).toBe(1);
    expect(calls.map((c) => c.slice(0, 2))).toEqual([['bicep', '--version'], ['bicep', 'build'], ['bicep', 'lint']]);
    expect(calls[1]![2]).toBe(path.join(infraDir, 'main.bicep'));
    expect(output).toContain('bicep build: passed');
    expect(output).toContain('bicep lint: FAILED');
    expect(output).toContain('no-unused-params');
  });
});
