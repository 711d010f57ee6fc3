import { isBuiltin } from 'node:module';
import path from 'node:path';
import type { Metafile, Plugin, PluginBuild } from 'esbuild';

/**
 * The deployment artifact in two files: `main.js` holds what registering the functions runs, and
 * `lazy.js` the packages that only invocations need. The boundary is the code's own: every
 * `require('<package>')` call written in this repository's sources (shared/lazySdk.ts,
 * shared/telemetry/exporters.ts: the storage SDKs, @azure/identity, jose, the telemetry
 * exporters) is a package loaded on first use, and its code goes to `lazy.js`; static `import`s
 * stay in `main.js`. So cold start reads and compiles only the code registration runs, as the
 * unbundled build (which never reads those packages' files until they are required) does too.
 *
 * A module that both files need (the OpenTelemetry API and SDK, which the exporters build on) is
 * not copied: `lazy.js` takes `main.js`'s instance of it, so there is one OpenTelemetry API, one
 * SDK, one of everything, as in the unbundled build.
 *
 * In `main.js`, each lazy `require` becomes a call to one loader module that loads `lazy.js` once,
 * hands it `main.js`'s shared modules, and returns the package (cached, as `require` would).
 */
export const LAZY_FILE = 'lazy.js';

const BOUNDARY = 'lazy-boundary';
const LOADER = 'lazy-loader';
const FROM_MAIN = 'from-main';
/** Not a valid package name, so it cannot shadow one. */
const LOADER_PATH = '<lazy-loader>';

/** Bare package specifiers that a `require` in our own code loads on first use (recorded by `lazyBoundaries`). */
export class LazyPackages {
  readonly names = new Set<string>();
}

/** A `require` of a package written in our own sources (not in node_modules). */
function isLazyBoundary(args: { kind: string; importer: string; path: string; pluginData?: unknown }, provided: readonly string[]): boolean {
  return (
    args.pluginData === undefined &&
    args.kind === 'require-call' &&
    !args.importer.split(path.sep).includes('node_modules') &&
    !args.path.startsWith('node:') &&
    !isBuiltin(args.path) &&
    !provided.includes(args.path)
  );
}

/**
 * For `main.js`: each lazy `require('<package>')` in our code is replaced by the loader's
 * `load('<package>')`; the loader requires `./lazy.js` (left outside the bundle) on first use and
 * provides it `shared` (module keys of main's own instances, see `takeFromMain`).
 */
export function lazyBoundaries(found: LazyPackages, provided: readonly string[], shared: ReadonlyMap<string, string>): Plugin {
  return {
    name: 'lazy-boundaries',
    setup(build: PluginBuild) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path === LOADER_PATH) return { path: LOADER_PATH, namespace: LOADER };
        if (!isLazyBoundary(args, provided)) return undefined;
        found.names.add(args.path);
        return { path: args.path, namespace: BOUNDARY };
      });
      build.onResolve({ filter: /^\.\/lazy\.js$/, namespace: LOADER }, () => ({ path: `./${LAZY_FILE}`, external: true }));
      build.onLoad({ filter: /.*/, namespace: BOUNDARY }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(LOADER_PATH)})(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
      build.onLoad({ filter: /.*/, namespace: LOADER }, () => ({ contents: loaderSource(shared), loader: 'js', resolveDir: build.initialOptions.absWorkingDir ?? process.cwd() }));
    },
  };
}

function loaderSource(shared: ReadonlyMap<string, string>): string {
  const provide = [...shared].map(([key, absolute]) => `    ${JSON.stringify(key)}: () => require(${JSON.stringify(absolute)}),`).join('\n');
  return `// Loads ${LAZY_FILE} on the first use of a package that only invocations need.
let lazy;
module.exports = function load(name) {
  if (lazy === undefined) {
    lazy = require('./${LAZY_FILE}');
    lazy.provide({
${provide}
    });
  }
  return lazy.load(name);
};
`;
}

/**
 * Added to main.js's entry: the lazily loaded packages and the loader, exported so that the
 * packaging check (loadRegistrations --load-lazy) can load each one as an invocation would. The
 * worker ignores what main.js exports.
 */
export function lazyEntryExports(names: readonly string[]): string {
  if (names.length === 0) return '';
  return `export const __lazyPackages: string[] = ${JSON.stringify([...names].sort())};
export function __loadLazy(name: string): unknown {
  return require(${JSON.stringify(LOADER_PATH)})(name);
}`;
}

/** The entry of `lazy.js`: every lazily required package, each evaluated on its first `load`. */
export function lazyEntrySource(names: Iterable<string>): string {
  const packages = [...names].map((name) => `  ${JSON.stringify(name)}: () => require(${JSON.stringify(name)}),`).join('\n');
  return `const shared = require(${JSON.stringify(LOADER_PATH)});
const packages = {
${packages}
};
exports.provide = shared.provide;
exports.load = (name) => {
  const get = packages[name];
  if (get === undefined) throw new Error('${LAZY_FILE} does not hold ' + name);
  return get();
};
`;
}

/**
 * For `lazy.js`: a module that `main.js` already holds (by file, so by version too) is taken from
 * main's instance instead of bundled again. `used` collects them (key: the path relative to the
 * working directory, as in the metafile; value: absolute path), for the loader in main.js.
 */
export function takeFromMain(mainInputs: Metafile['inputs'], root: string, used: Map<string, string>): Plugin {
  return {
    name: 'take-from-main',
    setup(build: PluginBuild) {
      build.onResolve({ filter: /^<lazy-loader>$/ }, () => ({ path: LOADER_PATH, namespace: LOADER }));
      build.onLoad({ filter: /.*/, namespace: LOADER }, () => ({
        contents: `const modules = new Map();
exports.provide = (provided) => { for (const [key, get] of Object.entries(provided)) modules.set(key, get); };
exports.get = (key) => {
  const get = modules.get(key);
  if (get === undefined) throw new Error('main.js did not provide ' + key + ' to ${LAZY_FILE}');
  return get();
};
`,
        loader: 'js',
      }));
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === FROM_MAIN || args.path === LOADER_PATH || args.kind === 'entry-point') return undefined;
        if (args.path.startsWith('node:') || isBuiltin(args.path)) return undefined;
        const kind = args.kind === 'import-statement' || args.kind === 'dynamic-import' ? 'require-call' : args.kind;
        const resolved = await build.resolve(args.path, { kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: FROM_MAIN });
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== 'file') return undefined;
        const key = path.relative(root, resolved.path).split(path.sep).join('/');
        if (mainInputs[key] === undefined) return undefined;
        used.set(key, resolved.path);
        return { path: key, namespace: FROM_MAIN };
      });
      build.onLoad({ filter: /.*/, namespace: FROM_MAIN }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(LOADER_PATH)}).get(${JSON.stringify(args.path)});`,
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}
