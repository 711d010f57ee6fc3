import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../shared/logging';
import { createCoreRegistry, installCoreModule, type CoreRegistry } from './coreModule';
import type { AppStartContext, HookContext, ProgrammingModel } from './coreTypes';
import { toHostFunction, type HostFunction } from './functionIndex';
import { expandEntryPatterns } from './glob';

export interface LoadAppOptions {
  /** The function app directory (package.json, host.json); entry patterns are relative to it. */
  appDir: string;
  /** Entry files or globs; defaults to package.json `main`. */
  entry?: readonly string[];
  logger: Logger;
}

export interface LoadedApp {
  readonly registry: CoreRegistry;
  readonly programmingModel: ProgrammingModel;
  readonly functions: readonly HostFunction[];
  readonly entryFiles: readonly string[];
  /** Runs the `appTerminate` hooks (errors are logged, not thrown) and releases `require`. */
  terminate(): Promise<void>;
}

/**
 * Loads the app as the worker does: provides `@azure/functions-core`, requires every entry file,
 * asks the library for its capabilities (which locks `app.setup`) and runs the `appStart` hooks.
 */
export async function loadApp(options: LoadAppOptions): Promise<LoadedApp> {
  const { appDir, logger } = options;
  const patterns = options.entry && options.entry.length > 0 ? options.entry : [mainFromPackageJson(appDir)];
  const entryFiles = expandEntryPatterns(patterns, appDir);
  const registry = createCoreRegistry(logger);
  const uninstall = installCoreModule(registry.api);
  try {
    forgetPreviousLoad(entryFiles);
    for (const file of entryFiles) {
      logger.debug('loading entry point', { file: path.relative(appDir, file) });
      // The app is loaded with require, like the worker, so that the core-module proxy applies.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(file);
    }
    const programmingModel = registry.programmingModel();
    if (!programmingModel) {
      throw new Error(`No function was registered by ${patterns.join(', ')}: nothing called app.http/app.storageQueue/app.timer`);
    }
    const capabilities = (await programmingModel.getCapabilities?.({})) ?? {};
    if (capabilities.HttpUri !== undefined) {
      throw new Error('app.setup({ enableHttpStream: true }) is not supported by the local host');
    }
    registry.finishStartup();
    const functions = [...registry.functions.values()].map(toHostFunction);
    const appStartContext: AppStartContext = { ...appLevelContext(registry), functionAppDirectory: appDir };
    for (const hook of registry.hooks('appStart')) await hook(appStartContext);
    return {
      registry,
      programmingModel,
      functions,
      entryFiles,
      terminate: async () => {
        try {
          for (const hook of registry.hooks('appTerminate')) await hook(appLevelContext(registry));
        } catch (error) {
          logger.error('appTerminate hook failed', { error });
        } finally {
          uninstall();
        }
      },
    };
  } catch (error) {
    uninstall();
    throw error;
  }
}

function appLevelContext(registry: CoreRegistry): HookContext {
  return { hookData: registry.appLevelOnlyHookData, appHookData: registry.appHookData };
}

function mainFromPackageJson(appDir: string): string {
  const file = path.join(appDir, 'package.json');
  let main: unknown;
  try {
    main = (JSON.parse(readFileSync(file, 'utf8')) as { main?: unknown }).main;
  } catch (error) {
    throw new Error(`Cannot read the entry point from ${file}; pass entry files explicitly`, { cause: error });
  }
  if (typeof main !== 'string' || main.length === 0) throw new Error(`${file} has no "main" entry point`);
  return main;
}

/**
 * Lets a second host in the same process load the app afresh: the library keeps its core-module
 * handle and programming-model flag in module state, and entry files register only when first run.
 */
function forgetPreviousLoad(entryFiles: readonly string[]): void {
  const entries = new Set(entryFiles);
  for (const key of Object.keys(require.cache)) {
    if (entries.has(key) || /[\\/]node_modules[\\/]@azure[\\/]functions[\\/]/.test(key)) {
      delete require.cache[key];
    }
  }
}
