import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkAppSettings } from './appSettings';
import { COUNTERS, HISTOGRAMS } from '../../shared/telemetry/telemetry';
import {
  calledFunctions,
  declaration,
  declarations,
  deployments,
  identifiers,
  loadBicepFiles,
  nodesOfType,
  property,
  propertyPath,
  stringValue,
  syntaxErrors,
  type BicepFile,
  type Deployed,
  type SyntaxNode,
} from './bicep';

/**
 * The offline checks of infra/: each one a name and the problems it found (none: it passed). They
 * read syntax trees only, so they run anywhere `npm ci` ran; `npm run infra:check` prints them and
 * adds `bicep build` / `bicep lint` when a Bicep CLI is installed.
 */

export interface CheckResult {
  name: string;
  problems: string[];
}

/** Built-in role ids the deployment grants, and the resource type each must be scoped to. */
export const REQUIRED_ROLES = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': { role: 'Storage Blob Data Owner', scope: 'Microsoft.Storage/storageAccounts' },
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': { role: 'Storage Queue Data Contributor', scope: 'Microsoft.Storage/storageAccounts' },
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': { role: 'Storage Table Data Contributor', scope: 'Microsoft.Storage/storageAccounts' },
  '3913510d-42f4-4e42-8a64-420c390055eb': { role: 'Monitoring Metrics Publisher', scope: 'Microsoft.Insights/components' },
  '4633458b-17de-408a-b874-0445c86b69e6': { role: 'Key Vault Secrets User', scope: 'Microsoft.KeyVault/vaults' },
} as const;

/**
 * The metric names of the shared telemetry contract (meter `saas-fulfillment`, stored by Application
 * Insights in customMetrics) that the alert rules must cover, and the others they may use.
 */
export const ALERTED_METRICS = ['queue.poisoned', 'readiness.check_failed', 'usage.events_emitted', 'reconciliation.drift', 'marketplace.calls'] as const;
/** The metrics contract, from the app's own telemetry port (one list for the app and its alerts). */
export const CONTRACT_METRICS: readonly string[] = [...Object.keys(COUNTERS), ...Object.keys(HISTOGRAMS)];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function all(files: BicepFile[], kind: 'resource' | 'module'): Array<Deployed & { file: BicepFile }> {
  return files.flatMap((file) => deployments(file, kind).map((d) => ({ ...d, file })));
}

function at(file: BicepFile, node: SyntaxNode | undefined): string {
  return node === undefined ? file.path : `${file.path}:${node.startPosition.row + 1}`;
}

function literal(node: SyntaxNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (node.type === 'boolean' || node.type === 'number') return node.text;
  return stringValue(node);
}

function expect(problems: string[], where: string, what: string, node: SyntaxNode | undefined, wanted: string): void {
  const actual = literal(node);
  if (actual !== wanted) problems.push(`${where}: ${what} must be ${wanted} (found ${node === undefined ? 'nothing' : node.text})`);
}

/** Module bodies of Azure Verified Modules whose path contains `avmPath` (`web/serverfarm`). */
function avm(files: BicepFile[], avmPath: string): Array<Deployed & { file: BicepFile }> {
  return all(files, 'module').filter((m) => m.target.startsWith('br/public:avm/res/') && m.target.includes(`/${avmPath}:`));
}

function checkSyntax(files: BicepFile[]): string[] {
  return files.flatMap(syntaxErrors);
}

function checkModuleVersions(files: BicepFile[]): string[] {
  return all(files, 'module')
    .filter((m) => m.target.startsWith('br'))
    .filter((m) => !/^br\/public:avm\/res\/[a-z0-9/-]+:\d+\.\d+\.\d+$/.test(m.target))
    .map((m) => `${at(m.file, m.decl.node)}: registry module ${m.target} must be an Azure Verified Module pinned to an exact version`);
}

function checkPlan(files: BicepFile[]): string[] {
  const problems: string[] = [];
  const plans = [
    ...avm(files, 'web/serverfarm').map((m) => ({ ...m, props: property(m.body, 'params') })),
    ...all(files, 'resource').filter((r) => r.type === 'Microsoft.Web/serverfarms' && !r.existing).map((r) => ({ ...r, props: r.body })),
  ];
  if (plans.length !== 1) problems.push(`infra: expected exactly one App Service plan, found ${plans.length}`);
  for (const plan of plans) {
    const where = at(plan.file, plan.decl.node);
    expect(problems, where, 'plan SKU name', propertyPath(plan.props, ['sku', 'name']), 'FC1');
    expect(problems, where, 'plan SKU tier', propertyPath(plan.props, ['sku', 'tier']), 'FlexConsumption');
    const reserved = plan.props === plan.body ? propertyPath(plan.body, ['properties', 'reserved']) : property(plan.props, 'reserved');
    expect(problems, where, 'plan reserved (Linux)', reserved, 'true');
  }
  return problems;
}

function checkFunctionApp(files: BicepFile[]): string[] {
  const problems: string[] = [];
  const sites = all(files, 'resource').filter((r) => r.type === 'Microsoft.Web/sites' && !r.existing);
  if (sites.length !== 1) problems.push(`infra: expected exactly one Microsoft.Web/sites, found ${sites.length}`);
  for (const site of sites) {
    const where = at(site.file, site.decl.node);
    const props = property(site.body, 'properties');
    expect(problems, where, 'kind', property(site.body, 'kind'), 'functionapp,linux');
    expect(problems, where, 'runtime name', propertyPath(props, ['functionAppConfig', 'runtime', 'name']), 'node');
    expect(problems, where, 'runtime version', propertyPath(props, ['functionAppConfig', 'runtime', 'version']), '22');
    expect(problems, where, 'identity type', propertyPath(site.body, ['identity', 'type']), 'UserAssigned');
    expect(problems, where, 'httpsOnly', property(props, 'httpsOnly'), 'true');
    expect(problems, where, 'siteConfig.minTlsVersion', propertyPath(props, ['siteConfig', 'minTlsVersion']), '1.2');
    expect(problems, where, 'deployment storage authentication', propertyPath(props, ['functionAppConfig', 'deployment', 'storage', 'authentication', 'type']), 'UserAssignedIdentity');
    if (property(props, 'keyVaultReferenceIdentity') === undefined) problems.push(`${where}: keyVaultReferenceIdentity must name the user-assigned identity (Key Vault references)`);
    if (propertyPath(props, ['siteConfig', 'appSettings']) !== undefined) problems.push(`${where}: set app settings in the 'appsettings' config resource only, where they are checked against shared/config.ts`);
  }
  return problems;
}

function checkAllAppSettings(files: BicepFile[]): string[] {
  const holders = files.filter((file) => deployments(file, 'resource').some((r) => r.type === 'Microsoft.Web/sites/config' && stringValue(property(r.body, 'name')) === 'appsettings'));
  if (holders.length !== 1) return [`infra: expected one file with the 'appsettings' config resource, found ${holders.length}`];
  return checkAppSettings(holders[0]!);
}

function checkStorage(files: BicepFile[]): string[] {
  const problems: string[] = [];
  const accounts = [
    ...avm(files, 'storage/storage-account').map((m) => ({ ...m, props: property(m.body, 'params') })),
    ...all(files, 'resource')
      .filter((r) => r.type === 'Microsoft.Storage/storageAccounts' && !r.existing)
      .map((r) => ({ ...r, props: property(r.body, 'properties') })),
  ];
  if (accounts.length === 0) problems.push('infra: no storage account');
  for (const account of accounts) {
    const where = at(account.file, account.decl.node);
    expect(problems, where, 'allowSharedKeyAccess', property(account.props, 'allowSharedKeyAccess'), 'false');
    expect(problems, where, 'allowBlobPublicAccess', property(account.props, 'allowBlobPublicAccess'), 'false');
    expect(problems, where, 'minimumTlsVersion', property(account.props, 'minimumTlsVersion'), 'TLS1_2');
    expect(problems, where, 'supportsHttpsTrafficOnly', property(account.props, 'supportsHttpsTrafficOnly'), 'true');
  }
  return problems;
}

/** GUID strings an expression stands for: literals, variables, members of object variables, loop items. */
function guidsOf(node: SyntaxNode | undefined, file: BicepFile, loop?: SyntaxNode, depth = 0): string[] {
  if (node === undefined || depth > 10) return [];
  const again = (n: SyntaxNode | undefined): string[] => guidsOf(n, file, loop, depth + 1);
  const literalGuid = stringValue(node);
  if (literalGuid !== undefined) return GUID.test(literalGuid) ? [literalGuid.toLowerCase()] : [];
  if (node.type === 'identifier') {
    const variable = declaration(file, 'var', node.text);
    if (variable !== undefined) return again(variable.node.namedChildren[1]);
    const loopVariable = loop?.namedChildren[0];
    if (loop !== undefined && loopVariable?.text === node.text) return again(loop.namedChildren[1]);
    return [];
  }
  if (node.type === 'member_expression') {
    const object = node.childForFieldName('object');
    const key = node.childForFieldName('property')?.text ?? '';
    const variable = object?.type === 'identifier' ? declaration(file, 'var', object.text) : undefined;
    return variable === undefined ? [] : again(property(variable.node.namedChildren[1], key));
  }
  return node.namedChildren.flatMap((child) => again(child));
}

function checkRoles(files: BicepFile[]): string[] {
  const problems: string[] = [];
  const granted = new Map<string, Set<string>>();
  for (const assignment of all(files, 'resource').filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')) {
    const where = at(assignment.file, assignment.decl.node);
    const scope = property(assignment.body, 'scope');
    const scoped = scope?.type === 'identifier' ? deployments(assignment.file, 'resource').find((r) => r.name === scope.text) : undefined;
    if (scoped?.type === undefined) {
      problems.push(`${where}: a role assignment must be scoped to one resource of this file (found ${scope?.text ?? 'no scope: the whole resource group'})`);
      continue;
    }
    const roleIds = guidsOf(propertyPath(assignment.body, ['properties', 'roleDefinitionId']), assignment.file, assignment.loop);
    if (roleIds.length === 0) problems.push(`${where}: cannot tell which role is assigned`);
    for (const id of roleIds) {
      const known = REQUIRED_ROLES[id as keyof typeof REQUIRED_ROLES] as { role: string; scope: string } | undefined;
      if (known === undefined) problems.push(`${where}: role ${id} is not one the app needs (${Object.values(REQUIRED_ROLES).map((r) => r.role).join(', ')})`);
      else if (known.scope !== scoped.type) problems.push(`${where}: ${known.role} must be scoped to a ${known.scope}, not ${scoped.type}`);
      granted.set(id, (granted.get(id) ?? new Set()).add(scoped.type));
    }
  }
  for (const [id, { role }] of Object.entries(REQUIRED_ROLES)) {
    if (!granted.has(id)) problems.push(`infra: the identity is never granted ${role} (${id})`);
  }
  return problems;
}

function checkKeyVault(files: BicepFile[]): string[] {
  const problems: string[] = [];
  const vaults = all(files, 'resource').filter((r) => r.type === 'Microsoft.KeyVault/vaults' && !r.existing);
  if (vaults.length !== 1) problems.push(`infra: expected exactly one Key Vault, found ${vaults.length}`);
  for (const vault of vaults) {
    expect(problems, at(vault.file, vault.decl.node), 'enableRbacAuthorization', propertyPath(vault.body, ['properties', 'enableRbacAuthorization']), 'true');
  }
  return problems;
}

function checkMonitoring(files: BicepFile[]): string[] {
  const problems: string[] = [];
  const components = avm(files, 'insights/component');
  const workspaces = avm(files, 'operational-insights/workspace');
  if (components.length !== 1 || workspaces.length !== 1) problems.push(`infra: expected one Application Insights and one Log Analytics workspace module, found ${components.length} and ${workspaces.length}`);
  for (const component of components) {
    const params = property(component.body, 'params');
    expect(problems, at(component.file, component.decl.node), 'Application Insights disableLocalAuth', property(params, 'disableLocalAuth'), 'true');
    if (property(params, 'workspaceResourceId') === undefined) problems.push(`${at(component.file, component.decl.node)}: Application Insights must be workspace-based (workspaceResourceId)`);
  }
  for (const workspace of workspaces) {
    const retention = property(property(workspace.body, 'params'), 'dataRetention');
    if (retention?.type !== 'identifier' || declaration(workspace.file, 'param', retention.text) === undefined) {
      problems.push(`${at(workspace.file, workspace.decl.node)}: the workspace retention must come from a parameter`);
    }
  }
  return problems;
}

const SECRET_NAME = /(secret|password|connectionstring|accountkey)$/i;

function checkSecrets(files: BicepFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const secureParams = new Set<string>();
    for (const param of declarations(file, 'param')) {
      if (param.decorators.has('secure')) secureParams.add(param.name);
      else if (SECRET_NAME.test(param.name) && param.node.namedChildren[1]?.text !== 'bool') problems.push(`${at(file, param.node)}: parameter ${param.name} holds a secret and must be @secure()`);
    }
    for (const output of declarations(file, 'output')) {
      const value = output.node.namedChildren[output.node.namedChildren.length - 1];
      if (value === undefined) continue;
      const leaked = [...identifiers(value)].filter((id) => secureParams.has(id));
      const calls = [...calledFunctions(value)].filter((fn) => /^list|^getSecret$/.test(fn));
      const secretValue = /\.properties\.value\b/.test(value.text);
      if (output.decorators.has('secure')) continue;
      if (leaked.length > 0 || calls.length > 0 || secretValue || SECRET_NAME.test(output.name)) {
        problems.push(`${at(file, output.node)}: output ${output.name} exposes a secret (${[...leaked, ...calls].join(', ') || output.name})`);
      }
    }
  }
  return problems;
}

function checkParameters(files: BicepFile[], infraDir: string): string[] {
  const problems: string[] = [];
  for (const file of files) {
    if (!file.path.endsWith('infra/main.bicep') && file.path !== 'main.bicep') continue;
    for (const param of declarations(file, 'param')) {
      if (!param.decorators.has('description')) problems.push(`${at(file, param.node)}: parameter ${param.name} needs a @description`);
    }
    const parametersFile = path.join(infraDir, 'main.parameters.json');
    if (!existsSync(parametersFile)) {
      problems.push('infra/main.parameters.json is missing');
      continue;
    }
    const mapped = Object.keys((JSON.parse(readFileSync(parametersFile, 'utf8')) as { parameters?: Record<string, unknown> }).parameters ?? {});
    const declared = new Set(declarations(file, 'param').map((p) => p.name));
    for (const param of declarations(file, 'param')) {
      const hasDefault = param.node.namedChildren.length > 2;
      if (!hasDefault && !mapped.includes(param.name)) problems.push(`infra/main.parameters.json must map the required parameter ${param.name}`);
    }
    for (const name of mapped) if (!declared.has(name)) problems.push(`infra/main.parameters.json maps ${name}, which main.bicep does not declare`);
  }
  return problems;
}

function checkAlerts(files: BicepFile[]): string[] {
  const problems: string[] = [];
  const rules = all(files, 'resource').filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules');
  if (rules.length === 0) return ['infra: no alert rules (Microsoft.Insights/scheduledQueryRules)'];
  const queries: string[] = [];
  for (const rule of rules) {
    const where = at(rule.file, rule.decl.node);
    const scopes = propertyPath(rule.body, ['properties', 'scopes']);
    if (scopes === undefined) problems.push(`${where}: alert rules must be scoped to Application Insights`);
    const query = propertyPath(rule.body, ['properties', 'criteria', 'allOf']);
    if (query === undefined) problems.push(`${where}: alert rule without criteria`);
    const groups = propertyPath(rule.body, ['properties', 'actions', 'actionGroups']);
    if (groups === undefined) problems.push(`${where}: alert rule without actions.actionGroups (the optional e-mail action group)`);
    // The queries: string literals in the rule body, or in the array variable a loop runs over.
    const sources: SyntaxNode[] = [rule.body!].filter((n) => n !== undefined);
    const iterable = rule.loop?.namedChildren[1];
    if (iterable?.type === 'identifier') {
      const variable = declaration(rule.file, 'var', iterable.text);
      if (variable !== undefined) sources.push(variable.node);
    }
    for (const source of sources) {
      for (const node of nodesOfType(source, 'object_property')) {
        const value = node.namedChildren[1];
        if (node.namedChildren[0]?.text === 'query' && value?.type === 'string') queries.push(value.text);
      }
    }
  }
  const named = queries.flatMap((q) => [...q.matchAll(/name\s*==\s*"([^"]+)"/g)].map((m) => m[1]!));
  for (const metric of named) if (!CONTRACT_METRICS.includes(metric)) problems.push(`infra: alert query uses metric ${metric}, which is not in the shared metrics contract`);
  for (const metric of ALERTED_METRICS) if (!named.includes(metric)) problems.push(`infra: no alert rule on ${metric}`);
  if (queries.some((q) => !q.includes('customMetrics'))) problems.push('infra: every alert query reads customMetrics');
  const email = declarations(files.find((f) => f.path.endsWith('main.bicep')) ?? files[0]!, 'param').find((p) => p.name === 'alertEmail');
  if (email === undefined) problems.push('infra/main.bicep: no alertEmail parameter for the optional action group');
  return problems;
}

export const CHECKS: Array<{ name: string; run: (files: BicepFile[], infraDir: string) => string[] }> = [
  { name: 'syntax: no ERROR or MISSING node in any .bicep file', run: checkSyntax },
  { name: 'registry modules: Azure Verified Modules at exact versions', run: checkModuleVersions },
  { name: 'plan: Flex Consumption FC1, Linux', run: checkPlan },
  { name: 'function app: Node 22, user-assigned identity, HTTPS, identity-authenticated deployment container', run: checkFunctionApp },
  { name: 'app settings: every key known to shared/config.ts, nothing it requires missing, secrets from Key Vault', run: checkAllAppSettings },
  { name: 'storage: shared key off, no public blobs, TLS 1.2, HTTPS only', run: checkStorage },
  { name: 'roles: blob/queue/table data on the storage account, metrics publisher, Key Vault secrets user; nothing else', run: checkRoles },
  { name: 'Key Vault: RBAC mode', run: checkKeyVault },
  { name: 'monitoring: workspace-based Application Insights without local auth, retention from a parameter', run: checkMonitoring },
  { name: 'secrets: every secret parameter @secure(), no secret in an output', run: checkSecrets },
  { name: 'parameters: main.bicep\'s described, the required ones mapped in main.parameters.json', run: checkParameters },
  { name: 'alerts: poison, readiness, usage rejected, drift, Marketplace failures on the metrics contract', run: checkAlerts },
];

export function runChecks(files: BicepFile[], infraDir: string): CheckResult[] {
  return CHECKS.map(({ name, run }) => ({ name, problems: run(files, infraDir) }));
}

export function checkInfraFolder(infraDir: string): { files: BicepFile[]; results: CheckResult[] } {
  const files = loadBicepFiles(infraDir);
  return { files, results: runChecks(files, infraDir) };
}
