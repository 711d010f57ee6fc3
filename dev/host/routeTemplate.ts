/**
 * ASP.NET Core route templates as the Functions host uses them: literal segments (case-insensitive),
 * `{name}`, `{name:constraint[:constraint…]}`, `{name?}`, `{name=default}`, `{*rest}` / `{**rest}`
 * and complex segments such as `{file}.{ext}`. Constraints: int, long, bool, guid, alpha, datetime,
 * decimal, double, float, min(n), max(n), range(a,b), length(n|a,b), minlength(n), maxlength(n),
 * regex(expr).
 */

interface Parameter {
  name: string;
  constraints: Array<(value: string) => boolean>;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
}

interface Segment {
  /** Literal text and parameters in order; a simple parameter segment has one parameter part. */
  parts: Array<string | Parameter>;
  pattern: RegExp;
}

export interface CompiledRoute {
  readonly template: string;
  /** Lower sorts first: literal segments beat constrained parameters, which beat catch-alls. */
  readonly precedence: string;
  /** Route values for a request path (without query), or undefined when it does not match. */
  match(path: string): Record<string, string> | undefined;
}

export function compileRoute(template: string): CompiledRoute {
  const segments = template.split('/').filter((segment) => segment.length > 0).map(parseSegment);
  segments.forEach((segment, index) => {
    const param = soleParameter(segment);
    if (param?.catchAll && index !== segments.length - 1) {
      throw new Error(`Route "${template}": a catch-all parameter must be the last segment`);
    }
  });
  const precedence = segments.map(segmentPrecedence).join('');
  return { template, precedence, match: (path) => matchSegments(segments, splitPath(path)) };
}

function splitPath(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment.length > 0)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

function matchSegments(segments: readonly Segment[], input: readonly string[]): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const param = soleParameter(segment);
    if (param?.catchAll) {
      const rest = input.slice(index).join('/');
      return assign(param, rest, values) ? values : undefined;
    }
    const text = input[index];
    if (text === undefined) {
      if (param && (param.optional || param.defaultValue !== undefined)) {
        if (param.defaultValue !== undefined) values[param.name] = param.defaultValue;
        continue;
      }
      return undefined;
    }
    const match = segment.pattern.exec(text);
    if (!match) return undefined;
    const params = segment.parts.filter((part): part is Parameter => typeof part !== 'string');
    for (const [i, p] of params.entries()) {
      if (!assign(p, match[i + 1] ?? '', values)) return undefined;
    }
  }
  return input.length > segments.length ? undefined : values;
}

function assign(param: Parameter, value: string, values: Record<string, string>): boolean {
  if (value === '') {
    if (param.defaultValue !== undefined) values[param.name] = param.defaultValue;
    return param.optional || param.catchAll || param.defaultValue !== undefined;
  }
  if (!param.constraints.every((check) => check(value))) return false;
  values[param.name] = value;
  return true;
}

function soleParameter(segment: Segment): Parameter | undefined {
  const [only] = segment.parts;
  return segment.parts.length === 1 && typeof only !== 'string' ? only : undefined;
}

function segmentPrecedence(segment: Segment): string {
  const param = soleParameter(segment);
  if (!param) return segment.parts.every((part) => typeof part === 'string') ? '1' : '2';
  if (param.catchAll) return '5';
  return param.constraints.length > 0 ? '3' : '4';
}

function parseSegment(text: string): Segment {
  const parts: Array<string | Parameter> = [];
  let source = '';
  let index = 0;
  while (index < text.length) {
    const open = text.indexOf('{', index);
    if (open < 0) {
      parts.push(text.slice(index));
      source += escapeRegExp(text.slice(index));
      break;
    }
    if (open > index) {
      parts.push(text.slice(index, open));
      source += escapeRegExp(text.slice(index, open));
    }
    const close = findClosingBrace(text, open);
    const param = parseParameter(text.slice(open + 1, close));
    if (parts.length > 0 && typeof parts[parts.length - 1] !== 'string') {
      throw new Error(`Route segment "${text}": two parameters must be separated by literal text`);
    }
    parts.push(param);
    source += param.catchAll ? '(.*)' : '(.+?)';
    index = close + 1;
  }
  const param = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : undefined;
  if (!param && parts.some((part) => typeof part !== 'string' && (part.optional || part.catchAll))) {
    throw new Error(`Route segment "${text}": optional and catch-all parameters must fill the whole segment`);
  }
  return { parts, pattern: new RegExp(`^${source}$`, 'i') };
}

function findClosingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
    else if (text[i] === '}' && depth === 0) return i;
  }
  throw new Error(`Route segment "${text}": unclosed "{"`);
}

function parseParameter(body: string): Parameter {
  let rest = body;
  const catchAll = rest.startsWith('*');
  rest = rest.replace(/^\*{1,2}/, '');
  let defaultValue: string | undefined;
  const equals = rest.indexOf('=');
  if (equals >= 0) {
    defaultValue = rest.slice(equals + 1);
    rest = rest.slice(0, equals);
  }
  const optional = rest.endsWith('?');
  if (optional) rest = rest.slice(0, -1);
  const [name = '', ...constraintTexts] = splitConstraints(rest);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Route parameter "{${body}}" has an invalid name`);
  return { name, optional, catchAll, defaultValue, constraints: constraintTexts.map(parseConstraint) };
}

/** Splits `name:c1:c2(a,b)` on colons outside parentheses. */
function splitConstraints(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ':' && depth === 0) {
      out.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  out.push(current);
  return out;
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GUID_D = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const GUID = new RegExp(`^(?:${GUID_D}|[0-9a-f]{32}|\\{${GUID_D}\\}|\\(${GUID_D}\\))$`, 'i');

function inRange(value: string, min: bigint, max: bigint): boolean {
  if (!INTEGER.test(value)) return false;
  const n = BigInt(value);
  return n >= min && n <= max;
}

function parseConstraint(text: string): (value: string) => boolean {
  const match = /^([a-z]+)(?:\((.*)\))?$/i.exec(text);
  if (!match) throw new Error(`Unknown route constraint "${text}"`);
  const name = (match[1] ?? '').toLowerCase();
  const argument = match[2] ?? '';
  const numbers = argument.split(',').map((part) => part.trim());
  const [a = '', b = ''] = numbers;
  switch (name) {
    case 'int':
      return (v) => inRange(v, -(2n ** 31n), 2n ** 31n - 1n);
    case 'long':
      return (v) => inRange(v, -(2n ** 63n), 2n ** 63n - 1n);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v);
    case 'alpha':
      return (v) => /^[a-z]*$/i.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'decimal':
    case 'double':
    case 'float':
      return (v) => NUMBER.test(v);
    case 'min':
      return (v) => inRange(v, BigInt(a), 2n ** 63n - 1n);
    case 'max':
      return (v) => inRange(v, -(2n ** 63n), BigInt(a));
    case 'range':
      return (v) => inRange(v, BigInt(a), BigInt(b));
    case 'length':
      return numbers.length === 1 ? (v) => v.length === Number(a) : (v) => v.length >= Number(a) && v.length <= Number(b);
    case 'minlength':
      return (v) => v.length >= Number(a);
    case 'maxlength':
      return (v) => v.length <= Number(a);
    case 'regex': {
      const pattern = new RegExp(argument, 'i');
      return (v) => pattern.test(v);
    }
    default:
      throw new Error(`Unknown route constraint "${text}"`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
