import Module from 'node:module';
import type { Logger } from '../../shared/logging';
import type {
  DisposableLike,
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookData,
  HookName,
  LogHookContext,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './coreTypes';

export const CORE_MODULE_NAME = '@azure/functions-core';
/** Reported as the worker and host versions; the library only checks that `log` exists (host ≥ 4.28). */
export const LOCAL_WORKER_VERSION = '3.99.0-local';
export const LOCAL_HOST_VERSION = '4.99.0-local';

/** `Disposable` as the worker ships it: a callback run once on `dispose()`. */
export class Disposable implements DisposableLike {
  static from(...disposables: DisposableLike[]): Disposable {
    return new Disposable(() => {
      for (const disposable of disposables) disposable.dispose();
    });
  }

  #callOnDispose: (() => unknown) | undefined;

  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }

  dispose(): unknown {
    const callback = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return callback?.();
  }
}

export interface RegisteredFunction {
  readonly metadata: FunctionMetadata;
  readonly callback: FunctionCallback;
}

export interface LogEntry {
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
  functionName?: string;
  invocationId?: string;
  invocationContext?: unknown;
}

/** What `require('@azure/functions-core')` returns inside the local host. */
export interface CoreApi {
  readonly version: string;
  readonly hostVersion: string;
  readonly Disposable: typeof Disposable;
  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable;
  registerHook(hookName: string, callback: HookCallback): Disposable;
  setProgrammingModel(programmingModel: ProgrammingModel): void;
  getProgrammingModel(): ProgrammingModel;
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

export interface CoreRegistry {
  readonly api: CoreApi;
  readonly functions: ReadonlyMap<string, RegisteredFunction>;
  /** Shared by every hook (`appHookData`). */
  readonly appHookData: HookData;
  /** The `hookData` of app-level hooks (appStart, appTerminate). */
  readonly appLevelOnlyHookData: HookData;
  hooks(name: HookName): readonly HookCallback[];
  programmingModel(): ProgrammingModel | undefined;
  /** After this, registering or disposing functions throws, as in the worker. */
  finishStartup(): void;
  /** Runs `log` hooks, then writes the entry through the host logger. */
  writeLog(entry: LogEntry): void;
}

const HOOK_NAMES: readonly string[] = ['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log'];

/** The worker's side of the contract: function and hook registry, programming model, logging. */
export function createCoreRegistry(logger: Logger): CoreRegistry {
  const functions = new Map<string, RegisteredFunction>();
  const hooks = new Map<string, HookCallback[]>();
  const appHookData: HookData = {};
  const appLevelOnlyHookData: HookData = {};
  let model: ProgrammingModel | undefined;
  let startupFinished = false;
  let inLogHook = false;

  const writeLog = (entry: LogEntry): void => {
    const final = { ...entry };
    const logHooks = hooks.get('log') ?? [];
    if (logHooks.length > 0 && !inLogHook) {
      const context: LogHookContext = {
        hookData: {},
        appHookData,
        invocationContext: entry.invocationContext,
        category: entry.category,
        level: entry.level,
        message: entry.message,
      };
      inLogHook = true;
      try {
        for (const hook of logHooks) hook(context);
        if (entry.category === 'user') Object.assign(final, { level: context.level, message: context.message });
      } catch (error) {
        logger.warn('log hook failed', { error });
      } finally {
        inLogHook = false;
      }
    }
    writeToLogger(logger, final);
  };

  const api: CoreApi = {
    version: LOCAL_WORKER_VERSION,
    hostVersion: LOCAL_HOST_VERSION,
    Disposable,
    registerFunction(metadata, callback) {
      if (startupFinished) throw new Error('A function can only be registered during app startup.');
      const name = metadata.name;
      if (functions.has(name)) throw new Error(`A function with the name "${name}" has already been registered.`);
      functions.set(name, { metadata, callback });
      return new Disposable(() => {
        if (startupFinished) throw new Error('A function can only be disposed during app startup.');
        functions.delete(name);
      });
    },
    registerHook(hookName, callback) {
      if (!HOOK_NAMES.includes(hookName)) throw new RangeError(`Unrecognized hook "${hookName}"`);
      const list = hooks.get(hookName) ?? [];
      list.push(callback);
      hooks.set(hookName, list);
      return new Disposable(() => {
        const index = list.indexOf(callback);
        if (index >= 0) list.splice(index, 1);
      });
    },
    setProgrammingModel(programmingModel) {
      model = programmingModel;
      logger.debug('programming model set', { name: programmingModel.name, version: programmingModel.version });
    },
    getProgrammingModel() {
      if (!model) throw new Error('No programming model has been set: the app has not registered anything yet.');
      return model;
    },
    log(level, category, message) {
      writeLog({ level, category, message });
    },
  };

  return {
    api,
    functions,
    appHookData,
    appLevelOnlyHookData,
    hooks: (name) => hooks.get(name) ?? [],
    programmingModel: () => model,
    finishStartup: () => {
      startupFinished = true;
    },
    writeLog,
  };
}

function writeToLogger(logger: Logger, entry: LogEntry): void {
  const structured = entry.category === 'user' ? structuredEntry(entry.message) : undefined;
  const fields = {
    category: entry.category,
    ...(entry.functionName === undefined ? {} : { functionName: entry.functionName }),
    ...(entry.invocationId === undefined ? {} : { invocationId: entry.invocationId }),
    ...(structured === undefined ? { text: entry.message } : structured.fields),
  };
  const message = structured?.message ?? (entry.category === 'user' ? 'function log' : 'worker log');
  switch (entry.level) {
    case 'none':
      return;
    case 'trace':
    case 'debug':
      logger.debug(message, fields);
      return;
    case 'information':
      // The library's own chatter (e.g. deferred-binding notes) stays at debug, as in Core Tools.
      if (entry.category === 'user') logger.info(message, fields);
      else logger.debug(message, fields);
      return;
    case 'warning':
      logger.warn(message, fields);
      return;
    default:
      logger.error(message, fields);
  }
}

/**
 * The app's structured entries (shared/logging: `{"message": …, ...fields}`), so that their fields
 * become top-level keys of the host's JSON line. Anything else stays `text`.
 */
function structuredEntry(text: string): { message: string; fields: Record<string, unknown> } | undefined {
  if (!text.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const { message, ...fields } = parsed as Record<string, unknown>;
  return typeof message === 'string' ? { message, fields } : undefined;
}

let installed = false;

/**
 * Makes `require('@azure/functions-core')` return `api` for every module, the way the worker does
 * (a Proxy around `Module.prototype.require`). Must run before the app or `@azure/functions` is
 * loaded. Returns a function that restores the original `require`.
 */
export function installCoreModule(api: CoreApi): () => void {
  if (installed) throw new Error(`${CORE_MODULE_NAME} is already provided in this process`);
  const prototype = Module.prototype as { require: (id: string) => unknown };
  const original = prototype.require;
  prototype.require = new Proxy(original, {
    apply(target, thisArg: unknown, args: unknown[]): unknown {
      if (args[0] === CORE_MODULE_NAME) return api;
      return Reflect.apply(target, thisArg, args) as unknown;
    },
  });
  installed = true;
  return () => {
    prototype.require = original;
    installed = false;
  };
}
