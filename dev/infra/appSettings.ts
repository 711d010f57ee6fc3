import { ConfigurationError } from '../../shared/errors';
import { SETTINGS, isKnownSetting, loadConfig, type SettingName } from '../../shared/config';
import { declaration, declarations, deployments, nodesOfType, property, stringValue, type BicepFile, type SyntaxNode } from './bicep';

/**
 * The app settings a Bicep file gives the function app, for every combination of the parameters
 * that shape them (booleans, `@allowed` values, strings tested with `empty()`), found by evaluating
 * the small part of Bicep the settings are written in: object literals, `union()`, `?:`, `==`,
 * `!=`, `&&`, `||`, `!`, `empty()`. Anything else (resource properties, interpolated strings) is an
 * opaque value whose text is kept. Each combination is then checked against shared/config.ts: no
 * key the config does not know, nothing the config requires missing, secrets only as Key Vault
 * references. One source of truth: the names come from the schema, not from a list kept here.
 */

type Value =
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'object'; entries: Map<string, Value> }
  /** Not known offline; `nonEmpty` when it stands for a parameter that was given a value. */
  | { kind: 'opaque'; text: string; nonEmpty?: boolean };

export type Mode = ReadonlyMap<string, Value>;

export interface ModeSettings {
  /** `marketplaceAuthMode=clientSecret, enableEasyAuth=true, isvWebhookUrl=(set)`. */
  label: string;
  settings: Map<string, Value>;
}

class Undecidable extends Error {}

function evaluate(node: SyntaxNode | null | undefined, file: BicepFile, mode: Mode, depth = 0): Value {
  if (node == null) return { kind: 'opaque', text: '' };
  if (depth > 50) throw new Undecidable(`${file.path}: expression nested too deeply`);
  const next = (n: SyntaxNode | null | undefined): Value => evaluate(n, file, mode, depth + 1);
  switch (node.type) {
    case 'string': {
      const literal = stringValue(node);
      return literal === undefined ? { kind: 'opaque', text: node.text, nonEmpty: true } : { kind: 'string', value: literal };
    }
    case 'boolean':
      return { kind: 'bool', value: node.text === 'true' };
    case 'parenthesized_expression':
      return next(node.namedChildren[0]);
    case 'object': {
      const entries = new Map<string, Value>();
      for (const prop of node.namedChildren) {
        if (prop.type !== 'object_property') continue;
        const [key, value] = prop.namedChildren;
        const name = stringValue(key) ?? key?.text ?? '';
        entries.set(name, next(value));
      }
      return { kind: 'object', entries };
    }
    case 'identifier': {
      const known = mode.get(node.text);
      if (known !== undefined) return known;
      const variable = declaration(file, 'var', node.text);
      const value = variable?.node.namedChildren[1];
      return value === undefined ? { kind: 'opaque', text: node.text } : next(value);
    }
    case 'ternary_expression': {
      const condition = truth(next(node.childForFieldName('condition')), node, file);
      return next(node.childForFieldName(condition ? 'consequence' : 'alternative'));
    }
    case 'unary_expression': {
      const operator = node.children[0]?.text;
      if (operator !== '!') return { kind: 'opaque', text: node.text };
      return { kind: 'bool', value: !truth(next(node.childForFieldName('argument') ?? node.namedChildren[0]), node, file) };
    }
    case 'binary_expression':
      return binary(node, next, file);
    case 'call_expression':
      return call(node, next, file);
    default:
      return { kind: 'opaque', text: node.text };
  }
}

function truth(value: Value, node: SyntaxNode, file: BicepFile): boolean {
  if (value.kind === 'bool') return value.value;
  throw new Undecidable(`${file.path}:${node.startPosition.row + 1}: cannot decide ${JSON.stringify(node.text)} offline; write app-setting conditions on bool, @allowed or empty()-tested parameters`);
}

function binary(node: SyntaxNode, next: (n: SyntaxNode | null | undefined) => Value, file: BicepFile): Value {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  const operator = node.children.find((c) => !c.isNamed && c !== left && c !== right)?.text;
  if (operator === '&&' || operator === '||') {
    const a = truth(next(left), node, file);
    if (operator === '&&' && !a) return { kind: 'bool', value: false };
    if (operator === '||' && a) return { kind: 'bool', value: true };
    return { kind: 'bool', value: truth(next(right), node, file) };
  }
  if (operator === '==' || operator === '!=') {
    const a = next(left);
    const b = next(right);
    if ((a.kind === 'string' || a.kind === 'bool') && (b.kind === 'string' || b.kind === 'bool')) {
      const equal = a.kind === b.kind && a.value === b.value;
      return { kind: 'bool', value: operator === '==' ? equal : !equal };
    }
  }
  return { kind: 'opaque', text: node.text };
}

function call(node: SyntaxNode, next: (n: SyntaxNode | null | undefined) => Value, file: BicepFile): Value {
  const name = node.childForFieldName('function')?.text;
  const args = node.childForFieldName('arguments')?.namedChildren ?? [];
  if (name === 'union') {
    const entries = new Map<string, Value>();
    for (const arg of args) {
      const value = next(arg);
      if (value.kind !== 'object') throw new Undecidable(`${file.path}:${arg.startPosition.row + 1}: union() of something that is not an object literal: ${arg.text}`);
      for (const [key, v] of value.entries) entries.set(key, v);
    }
    return { kind: 'object', entries };
  }
  if (name === 'empty' && args.length === 1) {
    const value = next(args[0]);
    if (value.kind === 'string') return { kind: 'bool', value: value.value === '' };
    if (value.kind === 'object') return { kind: 'bool', value: value.entries.size === 0 };
    if (value.kind === 'opaque' && value.nonEmpty === true) return { kind: 'bool', value: false };
  }
  return { kind: 'opaque', text: node.text };
}

/** The expression the function app's `appsettings` config resource sets. */
export function appSettingsExpression(file: BicepFile): SyntaxNode | undefined {
  const config = deployments(file, 'resource').find(
    (r) => r.type === 'Microsoft.Web/sites/config' && stringValue(property(r.body, 'name')) === 'appsettings',
  );
  return property(config?.body, 'properties');
}

/** Parameters that shape the settings: referenced by them (through variables) and with a finite set of cases. */
function modeParameters(file: BicepFile, expression: SyntaxNode): Array<[string, Value[]]> {
  const referenced = new Set<string>();
  const visit = (node: SyntaxNode, seen: Set<string>): void => {
    for (const id of nodesOfType(node, 'identifier').concat(node.type === 'identifier' ? [node] : [])) {
      if (seen.has(id.text)) continue;
      seen.add(id.text);
      referenced.add(id.text);
      const variable = declaration(file, 'var', id.text);
      if (variable !== undefined) visit(variable.node, seen);
    }
  };
  visit(expression, new Set());

  const emptyTested = new Set(
    nodesOfType(file.root, 'call_expression')
      .filter((c) => c.childForFieldName('function')?.text === 'empty')
      .map((c) => c.childForFieldName('arguments')?.namedChildren[0]?.text ?? ''),
  );

  const result: Array<[string, Value[]]> = [];
  for (const param of declarations(file, 'param')) {
    if (!referenced.has(param.name)) continue;
    const type = param.node.namedChildren[1]?.text;
    const allowed = param.decorators.get('allowed')?.childForFieldName('arguments')?.namedChildren[0];
    if (type === 'bool') {
      result.push([param.name, [{ kind: 'bool', value: false }, { kind: 'bool', value: true }]]);
    } else if (allowed?.type === 'array' && type === 'string') {
      result.push([param.name, allowed.namedChildren.map((item) => ({ kind: 'string', value: stringValue(item) ?? item.text }))]);
    } else if (emptyTested.has(param.name)) {
      result.push([param.name, [{ kind: 'string', value: '' }, { kind: 'opaque', text: param.name, nonEmpty: true }]]);
    }
  }
  return result;
}

function label(mode: Array<[string, Value]>): string {
  const show = (v: Value): string => (v.kind === 'opaque' ? '(set)' : v.kind === 'string' ? (v.value === '' ? '(empty)' : v.value) : String(v.kind === 'bool' ? v.value : '?'));
  return mode.map(([name, value]) => `${name}=${show(value)}`).join(', ');
}

/** The settings for every combination of the mode parameters. Throws when a condition cannot be decided. */
export function appSettingsByMode(file: BicepFile): ModeSettings[] {
  const expression = appSettingsExpression(file);
  if (expression === undefined) throw new Undecidable(`${file.path}: no Microsoft.Web/sites/config 'appsettings' resource`);
  const params = modeParameters(file, expression);
  let combinations: Array<Array<[string, Value]>> = [[]];
  for (const [name, values] of params) {
    combinations = combinations.flatMap((combination) => values.map((value): Array<[string, Value]> => [...combination, [name, value]]));
  }
  return combinations.map((combination) => {
    const value = evaluate(expression, file, new Map(combination));
    if (value.kind !== 'object') throw new Undecidable(`${file.path}: the app settings are not an object literal or a union() of them`);
    return { label: label(combination), settings: value.entries };
  });
}

/** A value the schema accepts, for settings whose value is only known in Azure (resource properties). */
export function placeholderFor(name: SettingName): string {
  const setting = SETTINGS[name];
  const candidates = [
    'default' in setting ? setting.default : undefined,
    '00000000-0000-0000-0000-000000000000',
    'https://placeholder.example',
    'x'.repeat(48),
    'true',
    'managedidentity',
    'placeholder',
  ];
  const found = candidates.find((candidate) => candidate !== undefined && setting.schema.safeParse(candidate).success);
  if (found === undefined) throw new Error(`no placeholder value fits ${name}`);
  return found;
}

const KEY_VAULT_REFERENCE = /^'@Microsoft\.KeyVault\((SecretUri=|VaultName=)/;

/** Problems of the app settings in one Bicep file, each naming the mode it happens in. */
export function checkAppSettings(file: BicepFile): string[] {
  let modes: ModeSettings[];
  try {
    modes = appSettingsByMode(file);
  } catch (error) {
    if (error instanceof Undecidable) return [error.message];
    throw error;
  }
  const problems = new Set<string>();
  for (const { label: mode, settings } of modes) {
    const env: Record<string, string> = {};
    for (const [name, value] of settings) {
      if (!isKnownSetting(name)) {
        problems.add(`${file.path}: app setting ${name} is not a key of shared/config.ts SETTINGS nor a platform setting (${mode})`);
        continue;
      }
      const known = Object.hasOwn(SETTINGS, name) ? SETTINGS[name as SettingName] : undefined;
      if (known !== undefined && 'secret' in known && known.secret && !(value.kind === 'opaque' && KEY_VAULT_REFERENCE.test(value.text))) {
        problems.add(`${file.path}: ${name} is a secret and must be a Key Vault reference (@Microsoft.KeyVault(SecretUri=...)) (${mode})`);
      }
      if (value.kind === 'object') problems.add(`${file.path}: app setting ${name} is an object (${mode})`);
      env[name] =
        value.kind === 'string' ? value.value : value.kind === 'bool' ? String(value.value) : known !== undefined ? placeholderFor(name as SettingName) : 'platform';
    }
    try {
      loadConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      for (const issue of error.issues) problems.add(`${file.path}: shared/config.ts refuses the app settings: ${issue} (${mode})`);
    }
  }
  return [...problems];
}
