import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build, type BuildOptions, type BuildResult, type Message, type Metafile, type Plugin } from 'esbuild';
import { LAZY_FILE, LazyPackages, lazyBoundaries, lazyEntryExports, lazyEntrySource, takeFromMain } from './lazySplit';
import { LOAD_LAZY, packageOfPath, type RegistrationProbe } from './loadRegistrations';

/**
 * `npm run package`: writes the deployment artifact, a self-contained function app in `build/app/`:
 *   host.json      copied from the repository
 *   package.json   `main: "main.js"`, no dependencies, no scripts
 *   main.js        every file in functions/ and everything they import, bundled by esbuild: what
 *                  registering the functions runs
 *   lazy.js        the packages our code `require`s on first use (lazySplit.ts), loaded by main.js
 *                  on the first invocation that needs one
 *   *.js.map       source maps to the TypeScript sources (run node with --enable-source-maps)
 * Only `@azure/functions-core` (provided by the Functions worker) and Node built-ins stay outside.
 *
 * It fails, naming the module, when anything cannot be bundled: an unresolved import, a native
 * addon, a `require` esbuild cannot follow, or any other esbuild warning. Then it loads the bundle
 * and the unbundled build (`dist/functions/*.js`) in fresh processes and fails unless both
 * register the same functions with the same bindings, registration reads main.js alone, and every
 * lazily loaded package then loads from lazy.js.
 */
export const WORKER_PROVIDED = ['@azure/functions-core'];

export interface PackageOptions {
  /** Repository root (functions/, host.json, package.json). */
  root: string;
  /** Output folder; default `<root>/build/app`. */
  outDir?: string;
}

export interface PackageResult {
  outDir: string;
  functionCount: number;
  bundleBytes: number;
  mapBytes: number;
  /** Size of lazy.js (0 when no package is loaded on first use). */
  lazyBytes: number;
  /** The packages our code requires on first use, bundled into lazy.js. */
  lazyPackages: string[];
  /** Source files in main.js, by package (`(app)` for this repository's own code). */
  inputsByPackage: Record<string, number>;
  /** Source files in lazy.js, by package. */
  lazyInputsByPackage: Record<string, number>;
}

export class PackagingError extends Error {
  override name = 'PackagingError';
}

export async function packageApp(options: PackageOptions): Promise<PackageResult> {
  const root = path.resolve(options.root);
  const outDir = path.resolve(options.outDir ?? path.join(root, 'build', 'app'));
  const functionFiles = readdirSync(path.join(root, 'functions'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .sort();
  if (functionFiles.length === 0) throw new PackagingError('functions/ holds no .ts file: nothing to package');

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const common: BuildOptions = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    sourcesContent: false,
    external: WORKER_PROVIDED,
    // Node built-ins stay external (platform: node); every package is bundled: no per-package list.
    tsconfig: path.join(root, 'tsconfig.build.json'),
    // For packages that ship ES modules only: import.meta.url is the bundle's own URL.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    // Less to read and compile at cold start. Identifiers are not renamed: measured, that costs
    // more memory at load than it saves (docs/package.md); function and class names are kept.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  };
  const mainOptions = (lazy: LazyPackages, shared: ReadonlyMap<string, string>, write: boolean, lazyNames: readonly string[] = []): BuildOptions => ({
    ...common,
    stdin: {
      contents: [...functionFiles.map((file) => `import './functions/${file.replace(/\.ts$/, '')}';`), lazyEntryExports(lazyNames)].join('\n'),
      resolveDir: root,
      sourcefile: 'functions/(every function).ts',
      loader: 'ts',
    },
    outfile: path.join(outDir, 'main.js'),
    write,
    plugins: [lazyBoundaries(lazy, WORKER_PROVIDED, shared), preferCommonJs, englishZodOnly],
  });

  // 1. What registration needs, and which packages our code requires on first use.
  const lazy = new LazyPackages();
  const probe = await bundle(mainOptions(lazy, new Map(), false));
  // 2. Those packages in lazy.js, taking every module main.js already holds from main.js.
  const shared = new Map<string, string>();
  const lazyResult =
    lazy.names.size === 0
      ? undefined
      : await bundle({
          ...common,
          stdin: { contents: lazyEntrySource(lazy.names), resolveDir: root, sourcefile: 'lazy (packages loaded on first use).js', loader: 'js' },
          outfile: path.join(outDir, LAZY_FILE),
          plugins: [takeFromMain(probe.metafile.inputs, root, shared), preferCommonJs, englishZodOnly],
        });
  // 3. main.js, its loader now providing those shared modules to lazy.js.
  const result = await bundle(mainOptions(new LazyPackages(), shared, true, [...lazy.names]));
  assertSameModules(probe.metafile, result.metafile);
  const metafiles = lazyResult === undefined ? [result.metafile] : [result.metafile, lazyResult.metafile];
  assertOnlyAllowedExternals(result.metafile, [`./${LAZY_FILE}`]);
  if (lazyResult !== undefined) assertOnlyAllowedExternals(lazyResult.metafile);

  copyFileSync(path.join(root, 'host.json'), path.join(outDir, 'host.json'));
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(artifactPackageJson(root), null, 2)}\n`);
  writeFileSync(path.join(outDir, NOTICES_FILE), thirdPartyNotices(root, metafiles));

  const bundled = probeRegistrations(root, [path.join(outDir, 'main.js'), LOAD_LAZY], outDir);
  const unbundled = probeRegistrations(root, ['dist/functions/*.js'], root);
  assertSameRegistrations(bundled, unbundled);
  assertLoadsLazily(bundled, [...lazy.names]);

  return {
    outDir,
    functionCount: bundled.functions.length,
    bundleBytes: statSync(path.join(outDir, 'main.js')).size,
    mapBytes: statSync(path.join(outDir, 'main.js.map')).size,
    lazyBytes: lazyResult === undefined ? 0 : statSync(path.join(outDir, LAZY_FILE)).size,
    lazyPackages: [...lazy.names].sort(),
    inputsByPackage: inputsByPackage(result.metafile),
    lazyInputsByPackage: lazyResult === undefined ? {} : inputsByPackage(lazyResult.metafile),
  };
}

/** esbuild with every error and warning turned into a PackagingError naming the module. */
async function bundle(options: BuildOptions): Promise<BuildResult & { metafile: Metafile }> {
  const result = await build({ ...options, metafile: true }).catch((error: unknown) => {
    const errors = (error as { errors?: Message[] }).errors;
    throw new PackagingError(`esbuild could not bundle the app:\n${errors ? errors.map(formatMessage).join('\n') : String(error)}`);
  });
  if (result.warnings.length > 0) {
    throw new PackagingError(`esbuild warned; every module must bundle cleanly:\n${result.warnings.map(formatMessage).join('\n')}`);
  }
  return result;
}

/** Providing lazy.js with main's modules must not pull anything new into main.js. */
function assertSameModules(before: Metafile, after: Metafile): void {
  const added = fileInputs(after).filter((file) => !(file in before.inputs));
  if (added.length > 0) throw new PackagingError(`main.js gained modules when it was given the loader for ${LAZY_FILE}: ${added.join(', ')}`);
}

/** Registration reads main.js alone; every lazily required package then loads from lazy.js. */
function assertLoadsLazily(probe: RegistrationProbe, names: readonly string[]): void {
  const problems: string[] = [];
  if (probe.filesLoaded !== 1) problems.push(`registration loaded ${probe.filesLoaded} files, not main.js alone`);
  for (const name of names) {
    const exported = probe.lazyPackages?.[name];
    if (exported === undefined || exported === 0) problems.push(`${name} did not load from ${LAZY_FILE} (${exported === undefined ? 'not loaded' : 'no exports'})`);
  }
  if (problems.length > 0) throw new PackagingError(`the artifact does not load as intended:\n  ${problems.join('\n  ')}`);
}

/**
 * The bundle is CommonJS, so every package is resolved as `require` would resolve it (its
 * CommonJS build when `exports` offers one, its ES module build otherwise). Without this, an
 * `import` in our TypeScript picks a package's ES build, whose `import.meta` has no meaning in CJS.
 *
 * Each package our own sources `import` is imported through one shared facade module
 * (`export * from '<package>'`): esbuild otherwise gives every importing file its own copy of the
 * package's exports (`__toESM`), which for zod and @azure/functions meant 27 copies each at cold
 * start. Measured: about 2.5 MB less RSS after loading (docs/package.md).
 */
const FACADE = 'package-facade';
const preferCommonJs: Plugin = {
  name: 'prefer-commonjs',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === preferCommonJs || (args.kind !== 'import-statement' && args.kind !== 'dynamic-import')) return undefined;
      if (args.kind === 'import-statement' && args.namespace === 'file' && !isExternalPath(args.path) && !args.importer.split(path.sep).includes('node_modules')) {
        return { path: args.path, namespace: FACADE };
      }
      const resolved = await pluginBuild.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir, importer: args.importer, pluginData: preferCommonJs });
      return resolved.errors.length > 0 ? undefined : resolved;
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: FACADE }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: pluginBuild.initialOptions.absWorkingDir ?? process.cwd(),
    }));
  },
};

const ZOD_LOCALES = 'zod-locales';
const LOCALES_INDEX = '../locales/index.cjs';

/**
 * zod's index of error-message locales requires all of its 60-odd languages (about 365 KiB of the
 * bundle, a fifth of main.js) for `z.locales`, which this app never uses: zod speaks English by
 * default (zod/v4/classic configures `en` itself) and so do our error messages. In the artifact that
 * index holds English only, so cold start neither reads nor compiles the other languages;
 * `z.locales.en` still works, any other language is undefined. The unbundled build is unchanged.
 */
const englishZodOnly: Plugin = {
  name: 'english-zod-only',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.cjs$/ }, (args) => {
      if (!args.importer.split(path.sep).includes('zod')) return undefined;
      // A path that names the stand-in, not this machine's folders (it is listed in the source map).
      return { path: 'zod/v4/locales/index.cjs (English only)', namespace: ZOD_LOCALES, pluginData: args.resolveDir };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: ZOD_LOCALES }, (args) => ({
      contents: `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
Object.defineProperty(exports, "en", { enumerable: true, get: () => require("./en.cjs").default });`,
      loader: 'js',
      resolveDir: path.join(args.pluginData as string, path.dirname(LOCALES_INDEX)),
    }));
  },
};

function isExternalPath(specifier: string): boolean {
  return specifier.startsWith('node:') || isBuiltin(specifier) || WORKER_PROVIDED.includes(specifier);
}

function artifactPackageJson(root: string): Record<string, unknown> {
  const source = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  return {
    name: source.name,
    version: source.version,
    description: source.description,
    license: source.license,
    private: true,
    main: 'main.js',
    engines: source.engines,
    dependencies: {},
  };
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
  const notes = message.notes.map((note) => `\n    ${note.text}`).join('');
  return `  ${where}${message.text}${notes}`;
}

/** Every import left outside the bundle must be a Node built-in, provided by the worker, or one of `ours`. */
function assertOnlyAllowedExternals(metafile: Metafile, ours: readonly string[] = []): void {
  const leftOut = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue;
      if (isExternalPath(imported.path) || ours.includes(imported.path)) continue;
      leftOut.add(imported.path);
    }
  }
  if (leftOut.size > 0) throw new PackagingError(`these modules were left out of the bundle and would be missing at run time: ${[...leftOut].join(', ')}`);
}

export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';
const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt))?$/i;

/** The licence texts of every package whose code is in the artifact (their licences ask for it). */
function thirdPartyNotices(root: string, metafiles: readonly Metafile[]): string {
  const packageDirs = new Set<string>();
  for (const input of metafiles.flatMap(fileInputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1] !== undefined) packageDirs.add(match[1]);
  }
  const sections = [...packageDirs].sort().map((dir) => {
    const absolute = path.resolve(root, dir);
    const manifest = JSON.parse(readFileSync(path.join(absolute, 'package.json'), 'utf8')) as { name?: string; version?: string; license?: unknown };
    const files = readdirSync(absolute).filter((file) => LICENSE_FILE.test(file)).sort();
    const texts = files.map((file) => readFileSync(path.join(absolute, file), 'utf8').trim());
    const body = texts.length > 0 ? texts.join('\n\n') : `License: ${JSON.stringify(manifest.license ?? 'not stated')} (the package ships no licence file)`;
    return `${manifest.name ?? dir}@${manifest.version ?? '?'}\n${'-'.repeat(72)}\n${body}\n`;
  });
  return `Third-party software bundled in main.js and ${LAZY_FILE} (${sections.length} packages)\n\n${sections.join('\n')}`;
}

/** The source files in a bundle (not the plugins' virtual modules, named `<namespace>:<path>`). */
function fileInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((key) => !/^[\w-]+:/.test(key));
}

function inputsByPackage(metafile: Metafile): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const input of fileInputs(metafile)) {
    const key = packageOfPath(input) ?? '(app)';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Loads entry files in a fresh Node process (see loadRegistrations.ts) and returns what registered. */
export function probeRegistrations(root: string, entries: readonly string[], cwd: string, nodeArgs: readonly string[] = []): RegistrationProbe {
  const probe = path.join(root, 'dist', 'dev', 'package', 'loadRegistrations.js');
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [...nodeArgs, probe, ...entries], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: probeEnv() });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new PackagingError(`loading ${entries.join(', ')} failed:\n${stderr || String(error)}`);
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as RegistrationProbe;
}

/** The probe needs no setting: registration reads none. Keep the caller's PATH and Node options only. */
function probeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'NODE_OPTIONS', 'TZ']) if (process.env[key] !== undefined) env[key] = process.env[key];
  return env;
}

function assertSameRegistrations(bundled: RegistrationProbe, unbundled: RegistrationProbe): void {
  const describe = (probe: RegistrationProbe): Map<string, string> => new Map(probe.functions.map((fn) => [fn.name, JSON.stringify(fn.bindings)]));
  const a = describe(bundled);
  const b = describe(unbundled);
  const problems: string[] = [];
  for (const [name, bindings] of b) {
    if (!a.has(name)) problems.push(`${name} is registered by dist/ but not by the bundle`);
    else if (a.get(name) !== bindings) problems.push(`${name} has other bindings in the bundle:\n    bundle: ${a.get(name)}\n    dist:   ${bindings}`);
  }
  for (const name of a.keys()) if (!b.has(name)) problems.push(`${name} is registered by the bundle but not by dist/`);
  if (b.size === 0) problems.push('dist/functions registered nothing (run `npm run build` first)');
  if (problems.length > 0) throw new PackagingError(`the bundle does not register what the unbundled build does:\n  ${problems.join('\n  ')}`);
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const result = await packageApp({ root });
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
  const packages = Object.entries(result.inputsByPackage)
    .sort(([, a], [, b]) => b - a)
    .map(([name, count]) => `${name} (${count})`)
    .join(', ');
  process.stdout.write(
    `${path.relative(root, result.outDir)}/: ${result.functionCount} functions, main.js ${kib(result.bundleBytes)}, main.js.map ${kib(result.mapBytes)}, ${LAZY_FILE} ${kib(result.lazyBytes)}\n` +
      `bundled sources in main.js: ${packages}\n` +
      `loaded on first use, from ${LAZY_FILE}: ${result.lazyPackages.join(', ') || 'nothing'}\n` +
      `registrations match dist/functions/*.js; registration reads main.js alone\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`npm run package failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
