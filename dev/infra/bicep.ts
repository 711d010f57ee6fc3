import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Parser from 'tree-sitter';
import Bicep from 'tree-sitter-bicep';

/**
 * Bicep files as syntax trees (tree-sitter-bicep), and the few questions the offline infra checks ask
 * of them: declarations with their decorators, resources and modules with their bodies, properties
 * of object literals, and the literal value of a plain string. No Bicep compiler is needed.
 */

export type SyntaxNode = Parser.SyntaxNode;

export interface BicepFile {
  /** Path relative to the infra folder's parent, with forward slashes (`infra/app/function.bicep`). */
  path: string;
  source: string;
  root: SyntaxNode;
}

/**
 * One parser per process. The native bindings are process-wide while jest gives every test file a
 * module registry of its own, and tree-sitter's JavaScript side caches its node classes on the
 * shared language object: a second test file that loads tree-sitter in the same jest worker gets
 * broken nodes. So every test that parses Bicep lives in test/unit/infra/infra.test.ts.
 */
let parser: Parser | undefined;

export function parseBicep(filePath: string, source: string): BicepFile {
  if (parser === undefined) {
    parser = new Parser();
    parser.setLanguage(Bicep as unknown as Parser.Language);
  }
  return { path: filePath.split(path.sep).join('/'), source, root: parser.parse(source).rootNode };
}

/** Every `.bicep` file under `dir`, parsed, sorted by path. */
export function loadBicepFiles(dir: string, base = path.dirname(dir)): BicepFile[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.bicep')) files.push(full);
    }
  };
  walk(dir);
  return files.sort().map((file) => parseBicep(path.relative(base, file), readFileSync(file, 'utf8')));
}

function* descendants(node: SyntaxNode): Generator<SyntaxNode> {
  for (const child of node.children) {
    yield child;
    yield* descendants(child);
  }
}

export function nodesOfType(node: SyntaxNode, type: string): SyntaxNode[] {
  return [...descendants(node)].filter((n) => n.type === type);
}

/** `ERROR` and `MISSING` nodes, as `path:line:column what`. */
export function syntaxErrors(file: BicepFile): string[] {
  const errors: string[] = [];
  for (const node of descendants(file.root)) {
    if (node.type === 'ERROR' || node.isMissing) {
      const where = `${file.path}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
      errors.push(`${where} ${node.isMissing ? `missing ${node.type}` : `syntax error near ${JSON.stringify(node.text.slice(0, 40))}`}`);
    }
  }
  return errors;
}

export interface Declaration {
  kind: 'param' | 'var' | 'resource' | 'module' | 'output';
  name: string;
  node: SyntaxNode;
  /** Decorator calls above the declaration, by name (`secure`, `allowed`, `description`, …). */
  decorators: Map<string, SyntaxNode>;
}

const DECLARATION_KINDS: Record<string, Declaration['kind']> = {
  parameter_declaration: 'param',
  variable_declaration: 'var',
  resource_declaration: 'resource',
  module_declaration: 'module',
  output_declaration: 'output',
};

const declared = new WeakMap<BicepFile, Declaration[]>();

export function declarations(file: BicepFile, kind?: Declaration['kind']): Declaration[] {
  let all = declared.get(file);
  if (all === undefined) {
    all = readDeclarations(file);
    declared.set(file, all);
  }
  return kind === undefined ? all : all.filter((d) => d.kind === kind);
}

function readDeclarations(file: BicepFile): Declaration[] {
  const result: Declaration[] = [];
  for (const node of file.root.namedChildren) {
    const declaredKind = DECLARATION_KINDS[node.type];
    if (declaredKind === undefined) continue;
    const decorators = new Map<string, SyntaxNode>();
    const previous = node.previousNamedSibling;
    if (previous?.type === 'decorators') {
      for (const decorator of previous.namedChildren) {
        const call = decorator.namedChildren[0];
        const name = call?.type === 'call_expression' ? call.childForFieldName('function')?.text : call?.text;
        if (name !== undefined && call !== undefined) decorators.set(name, call);
      }
    }
    result.push({ kind: declaredKind, name: node.namedChildren[0]?.text ?? '', node, decorators });
  }
  return result;
}

export function declaration(file: BicepFile, kind: Declaration['kind'], name: string): Declaration | undefined {
  return declarations(file, kind).find((d) => d.name === name);
}

/** The value expression of a param default, var or output (the last named child). */
export function valueOf(decl: Declaration): SyntaxNode | undefined {
  const children = decl.node.namedChildren;
  if (decl.kind === 'param') return children.find((c, i) => i > 0 && c.type !== 'type');
  return children[children.length - 1];
}

/** The literal text of a string without interpolation; undefined for anything else. */
export function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (node == null) return undefined;
  if (node.type === 'string') {
    if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
    return node.namedChildren.map((c) => (c.type === 'escape_sequence' ? unescape(c.text) : c.text)).join('');
  }
  if (node.type === 'multiline_string') return node.text.slice(3, -3).replace(/^\r?\n/, '');
  return undefined;
}

function unescape(sequence: string): string {
  const map: Record<string, string> = { "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' };
  return map[sequence] ?? sequence;
}

/** The property `key` of an object literal. */
export function property(object: SyntaxNode | null | undefined, key: string): SyntaxNode | undefined {
  if (object?.type !== 'object') return undefined;
  for (const prop of object.namedChildren) {
    if (prop.type !== 'object_property') continue;
    const [name, value] = prop.namedChildren;
    if (name !== undefined && (name.text === key || stringValue(name) === key)) return value;
  }
  return undefined;
}

/** Follows a path of keys through nested object literals. */
export function propertyPath(object: SyntaxNode | null | undefined, keys: string[]): SyntaxNode | undefined {
  let current: SyntaxNode | undefined = object ?? undefined;
  for (const key of keys) current = property(current, key);
  return current;
}

/** Every `key: value` pair of an object literal, in order. */
export function properties(object: SyntaxNode | null | undefined): Array<[string, SyntaxNode]> {
  if (object?.type !== 'object') return [];
  return object.namedChildren
    .filter((p) => p.type === 'object_property' && p.namedChildren.length >= 2)
    .map((p) => [stringValue(p.namedChildren[0]) ?? p.namedChildren[0]!.text, p.namedChildren[1]!]);
}

export interface Deployed {
  /** Symbolic name. */
  name: string;
  /** `Microsoft.Web/sites@2024-04-01` for a resource, the module path for a module. */
  target: string;
  /** Resource type without the API version (resources only). */
  type?: string;
  /** `existing` resources reference something deployed elsewhere. */
  existing: boolean;
  /** The body: the object literal, inside `if (…)` or `[for … : …]` when there is one. */
  body: SyntaxNode | undefined;
  /** The `if (…)` condition, when the resource is conditional. */
  condition?: SyntaxNode;
  /** The `for` statement, when the declaration is a loop. */
  loop?: SyntaxNode;
  decl: Declaration;
}

function unwrapBody(node: SyntaxNode | undefined): Pick<Deployed, 'body' | 'condition' | 'loop'> {
  if (node?.type === 'if_statement') {
    return { body: node.namedChildren.find((c) => c.type === 'object'), condition: node.namedChildren[0] };
  }
  if (node?.type === 'for_statement') {
    const body = node.childForFieldName('body') ?? node.namedChildren[node.namedChildren.length - 1];
    const inner = unwrapBody(body ?? undefined);
    return { ...inner, loop: node };
  }
  return { body: node?.type === 'object' ? node : undefined };
}

export function deployments(file: BicepFile, kind: 'resource' | 'module'): Deployed[] {
  return declarations(file, kind).map((decl) => {
    const children = decl.node.namedChildren;
    const target = stringValue(children[1]) ?? '';
    const existing = decl.node.children.some((c) => c.type === 'existing' || c.text === 'existing');
    const { body, condition, loop } = unwrapBody(children[children.length - 1]);
    return {
      name: decl.name,
      target,
      type: kind === 'resource' ? target.split('@')[0] : undefined,
      existing,
      body,
      condition,
      loop,
      decl,
    };
  });
}

/** Identifiers referenced anywhere inside a node (variables, params, resources, functions). */
export function identifiers(node: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const n of [node, ...descendants(node)]) if (n.type === 'identifier') names.add(n.text);
  return names;
}

/** Names of the functions called inside a node (`listKeys`, `getSecret`, `union`, …), member calls included. */
export function calledFunctions(node: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const n of [node, ...descendants(node)]) {
    if (n.type !== 'call_expression') continue;
    const fn = n.childForFieldName('function') ?? n.namedChildren[0];
    if (fn === null || fn === undefined) continue;
    const last = fn.type === 'member_expression' ? fn.childForFieldName('property') : fn;
    if (last !== null && last !== undefined) names.add(last.text);
  }
  return names;
}
