import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Function keys as the host knows them: the master key (`_master`), host keys (valid for every
 * function-level function) and function keys (per function, or for all functions). When none is
 * configured, authorization is off, as in Core Tools.
 */
export interface KeyOptions {
  masterKey?: string;
  hostKeys?: readonly string[];
  /** Keys accepted by every function with authLevel `function`. */
  functionKeys?: readonly string[];
  /** Keys accepted by one function each: `{ functionName: [key, …] }`. */
  perFunctionKeys?: Readonly<Record<string, readonly string[]>>;
}

export interface KeyChecker {
  readonly enabled: boolean;
  /** Whether `presentedKey` grants `authLevel` on `functionName` (always true when disabled). */
  authorize(authLevel: string, functionName: string | undefined, presentedKey: string | undefined): boolean;
}

export function createKeyChecker(options: KeyOptions = {}): KeyChecker {
  const master = nonEmpty(options.masterKey ? [options.masterKey] : []);
  const host = nonEmpty(options.hostKeys ?? []);
  const anyFunction = nonEmpty(options.functionKeys ?? []);
  const perFunction = new Map(Object.entries(options.perFunctionKeys ?? {}).map(([name, keys]) => [name, nonEmpty(keys)]));
  const enabled = master.length + host.length + anyFunction.length + [...perFunction.values()].flat().length > 0;

  return {
    enabled,
    authorize(authLevel, functionName, presentedKey) {
      if (!enabled || authLevel === 'anonymous') return true;
      if (presentedKey === undefined || presentedKey === '') return false;
      if (matchesAny(presentedKey, master)) return true;
      if (authLevel !== 'function') return false;
      const own = functionName === undefined ? [] : (perFunction.get(functionName) ?? []);
      return matchesAny(presentedKey, [...host, ...anyFunction, ...own]);
    },
  };
}

/** The key a request presents: the `x-functions-key` header, else the `code` query parameter. */
export function presentedKey(headerValue: string | string[] | undefined, query: URLSearchParams): string | undefined {
  const header = Array.isArray(headerValue) ? headerValue[0] : headerValue;
  return header ?? query.get('code') ?? undefined;
}

/** Reads keys from settings: FUNCTIONS_MASTER_KEY, FUNCTIONS_HOST_KEY, FUNCTIONS_FUNCTION_KEY, FUNCTIONS_FUNCTION_KEYS (JSON). */
export function keysFromSettings(settings: Readonly<Record<string, string | undefined>>): KeyOptions {
  const perFunctionText = settings.FUNCTIONS_FUNCTION_KEYS;
  let perFunctionKeys: Record<string, string[]> | undefined;
  if (perFunctionText) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(perFunctionText);
    } catch (error) {
      throw new Error('FUNCTIONS_FUNCTION_KEYS must be JSON like {"functionName":"key"}', { cause: error });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('FUNCTIONS_FUNCTION_KEYS must be a JSON object of function name to key (or list of keys)');
    }
    perFunctionKeys = Object.fromEntries(
      Object.entries(parsed).map(([name, value]) => [name, (Array.isArray(value) ? value : [value]).map(String)]),
    );
  }
  return {
    masterKey: settings.FUNCTIONS_MASTER_KEY || undefined,
    hostKeys: splitList(settings.FUNCTIONS_HOST_KEY),
    functionKeys: splitList(settings.FUNCTIONS_FUNCTION_KEY),
    perFunctionKeys,
  };
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

function nonEmpty(keys: readonly string[]): Buffer[] {
  return keys.filter((key) => key.length > 0).map(digest);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time comparison over fixed-length digests, so neither content nor length leaks. */
function matchesAny(presented: string, keys: readonly Buffer[]): boolean {
  const candidate = digest(presented);
  let found = false;
  for (const key of keys) found = timingSafeEqual(candidate, key) || found;
  return found;
}
