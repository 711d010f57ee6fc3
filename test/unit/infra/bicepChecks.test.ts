import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBicepFiles, parseBicep, type BicepFile } from '../../../dev/infra/bicep';
import { CHECKS, checkInfraFolder } from '../../../dev/infra/checks';

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
