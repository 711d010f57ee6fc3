import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build, type Message, type Metafile, type Plugin } from 'esbuild';
import type { RegistrationProbe } from './loadRegistrations';

/**
 * `npm run package`: writes the deployment artifact, a self-contained function app in `build/app/`:
 *   host.json      copied from the repository
 *   package.json   `main: "main.js"`, no dependencies, no scripts
 *   main.js        every file in functions/ and everything they import, bundled by esbuild
 *   main.js.map    source map to the TypeScript sources (run node with --enable-source-maps)
 * Only `@azure/functions-core` (provided by the Functions worker) and Node built-ins stay outside.
 *
 * It fails, naming the module, when anything cannot be bundled: an unresolved import, a native
 * addon, a `require` esbuild cannot follow, or any other esbuild warning. Then it loads the bundle
 * and the unbundled build (`dist/functions/*.js`) in fresh processes and fails unless both
 * register the same functions with the same bindings.
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
  /** Source files in the bundle, by package (`(app)` for this repository's own code). */
  inputsByPackage: Record<string, number>;
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

  const result = await build({
    stdin: {
      contents: functionFiles.map((file) => `import './functions/${file.replace(/\.ts$/, '')}';`).join('\n'),
      resolveDir: root,
      sourcefile: 'functions/(every function).ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(outDir, 'main.js'),
    sourcemap: 'linked',
    sourcesContent: false,
    external: WORKER_PROVIDED,
    // Node built-ins stay external (platform: node); every package is bundled: no per-package list.
    tsconfig: path.join(root, 'tsconfig.build.json'),
    plugins: [preferCommonJs],
    // For packages that ship ES modules only: import.meta.url is the bundle's own URL.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  }).catch((error: unknown) => {
    const errors = (error as { errors?: Message[] }).errors;
    throw new PackagingError(`esbuild could not bundle the app:\n${errors ? errors.map(formatMessage).join('\n') : String(error)}`);
  });
  if (result.warnings.length > 0) {
    throw new PackagingError(`esbuild warned; every module must bundle cleanly:\n${result.warnings.map(formatMessage).join('\n')}`);
  }
  assertOnlyAllowedExternals(result.metafile);

  copyFileSync(path.join(root, 'host.json'), path.join(outDir, 'host.json'));
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(artifactPackageJson(root), null, 2)}\n`);
  writeFileSync(path.join(outDir, NOTICES_FILE), thirdPartyNotices(root, result.metafile));

  const bundled = probeRegistrations(root, [path.join(outDir, 'main.js')], outDir);
  const unbundled = probeRegistrations(root, ['dist/functions/*.js'], root);
  assertSameRegistrations(bundled, unbundled);

  return {
    outDir,
    functionCount: bundled.functions.length,
    bundleBytes: statSync(path.join(outDir, 'main.js')).size,
    mapBytes: statSync(path.join(outDir, 'main.js.map')).size,
    inputsByPackage: inputsByPackage(result.metafile),
  };
}

/**
 * The bundle is CommonJS, so every package is resolved as `require` would resolve it (its
 * CommonJS build when `exports` offers one, its ES module build otherwise). Without this, an
 * `import` in our TypeScript picks a package's ES build, whose `import.meta` has no meaning in CJS.
 */
const preferCommonJs: Plugin = {
  name: 'prefer-commonjs',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === preferCommonJs || (args.kind !== 'import-statement' && args.kind !== 'dynamic-import')) return undefined;
      const resolved = await pluginBuild.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir, importer: args.importer, pluginData: preferCommonJs });
      return resolved.errors.length > 0 ? undefined : resolved;
    });
  },
};

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

/** Every import left outside the bundle must be a Node built-in or provided by the worker. */
function assertOnlyAllowedExternals(metafile: Metafile): void {
  const leftOut = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue;
      if (imported.path.startsWith('node:') || isBuiltin(imported.path) || WORKER_PROVIDED.includes(imported.path)) continue;
      leftOut.add(imported.path);
    }
  }
  if (leftOut.size > 0) throw new PackagingError(`these modules were left out of the bundle and would be missing at run time: ${[...leftOut].join(', ')}`);
}

export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';
const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt))?$/i;

/** The licence texts of every package whose code is in the bundle (their licences ask for it). */
function thirdPartyNotices(root: string, metafile: Metafile): string {
  const packageDirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
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
  return `Third-party software bundled in main.js (${sections.length} packages)\n\n${sections.join('\n')}`;
}

function inputsByPackage(metafile: Metafile): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match?.[1] ?? '(app)';
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
    `${path.relative(root, result.outDir)}/: ${result.functionCount} functions, main.js ${kib(result.bundleBytes)}, main.js.map ${kib(result.mapBytes)}\n` +
      `bundled sources: ${packages}\n` +
      `registrations match dist/functions/*.js\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`npm run package failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
