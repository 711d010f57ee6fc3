import { statSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../shared/logging';
import { createCoreRegistry, installCoreModule } from '../host/coreModule';
import { expandEntryPatterns } from '../host/glob';

/**
 * `node dist/dev/package/loadRegistrations.js <entry file|glob>… [--load-lazy | --require=<a,b>]`:
 * loads an app's entry files in this (fresh) process the way the worker does, with
 * `@azure/functions-core` provided, and prints one JSON line: how long the entry files took to
 * load, the process RSS afterwards, how many files loading read, and every registered function
 * with its bindings. Then, as the first invocations would, with `--load-lazy` it loads every
 * package the artifact's main.js loads on first use (its `__lazyPackages`, through its
 * `__loadLazy`), and with `--require=<a,b>` it requires those packages (the unbundled build's
 * way), and adds how long that took and the RSS afterwards. Used by `npm run package` (to check
 * that the bundle registers what the unbundled build does and loads as intended) and by the
 * artifact benchmark.
 */
export const LOAD_LAZY = '--load-lazy';
export const REQUIRE = '--require=';

export interface RegistrationProbe {
  loadMs: number;
  /** Process RSS right after loading, in bytes. */
  rssBytes: number;
  /** RSS before loading (the process and this probe alone), in bytes. */
  baselineRssBytes: number;
  /** JavaScript files loading the entry files read (modules added to require.cache). */
  filesLoaded: number;
  /** Their total size in bytes: the source Node read and compiled. */
  bytesLoaded: number;
  /** The npm packages those files belong to (none for the bundle: main.js holds them), sorted. */
  packagesLoaded: string[];
  /** With --load-lazy or --require: each package loaded after registration and how many exports it has. */
  lazyPackages?: Record<string, number>;
  /** How long loading those packages took, the RSS afterwards and the files it read. */
  lazy?: { loadMs: number; rssBytes: number; filesLoaded: number };
  functions: RegisteredSummary[];
}

export interface RegisteredSummary {
  name: string;
  /** Trigger and binding options, without the generated binding names (they carry a hash). */
  bindings: Array<Record<string, unknown>>;
}

function main(args: readonly string[]): void {
  if (args.length === 0) {
    process.stderr.write('usage: loadRegistrations <entry file|glob>…\n');
    process.exit(2);
  }
  const files = expandEntryPatterns(
    args.filter((arg) => arg !== LOAD_LAZY && !arg.startsWith(REQUIRE)),
    process.cwd(),
  );
  const requireAfter = args
    .filter((arg) => arg.startsWith(REQUIRE))
    .flatMap((arg) => arg.slice(REQUIRE.length).split(','))
    .filter((name) => name !== '');
  const registry = createCoreRegistry(silentLogger);
  installCoreModule(registry.api);
  const cachedBefore = new Set(Object.keys(require.cache));
  const baselineRssBytes = process.memoryUsage.rss();
  const began = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entries = files.map((file) => require(path.resolve(file)) as LazyExports);
  const loadMs = performance.now() - began;
  const rssBytes = process.memoryUsage.rss();
  const loadedFiles = Object.keys(require.cache).filter((file) => !cachedBefore.has(file));
  const filesLoaded = loadedFiles.length;
  const bytesLoaded = loadedFiles.reduce((sum, file) => sum + statSync(file).size, 0);
  const functions = [...registry.functions.values()].map(({ metadata }) => ({
    name: metadata.name,
    bindings: Object.values(metadata.bindings ?? {})
      .map((binding) => sortKeys(binding as Record<string, unknown>))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  }));
  functions.sort((a, b) => a.name.localeCompare(b.name));
  const probe: RegistrationProbe = { loadMs, rssBytes, baselineRssBytes, filesLoaded, bytesLoaded, packagesLoaded: packagesOf(loadedFiles), functions };
  if (args.includes(LOAD_LAZY) || requireAfter.length > 0) {
    const lazyBegan = performance.now();
    probe.lazyPackages = args.includes(LOAD_LAZY) ? loadLazyPackages(entries) : requirePackages(requireAfter);
    probe.lazy = { loadMs: performance.now() - lazyBegan, rssBytes: process.memoryUsage.rss(), filesLoaded: Object.keys(require.cache).length - cachedBefore.size - filesLoaded };
  }
  process.stdout.write(`${JSON.stringify(probe)}\n`);
}

interface LazyExports {
  __lazyPackages?: string[];
  __loadLazy?: (name: string) => unknown;
}

function loadLazyPackages(entries: readonly LazyExports[]): Record<string, number> {
  const loaded: Record<string, number> = {};
  for (const entry of entries) {
    for (const name of entry.__lazyPackages ?? []) loaded[name] = Object.keys(entry.__loadLazy?.(name) ?? {}).length;
  }
  return loaded;
}

/** Requires packages as the unbundled build's code does, resolved from the working directory. */
function requirePackages(names: readonly string[]): Record<string, number> {
  const loaded: Record<string, number> = {};
  for (const name of names) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded[name] = Object.keys(require(require.resolve(name, { paths: [process.cwd()] })) as object).length;
  }
  return loaded;
}

/** The npm package (`name` or `@scope/name`) a file belongs to; undefined for the app's own files. */
export function packageOfPath(file: string): string | undefined {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
}

/** The packages of these files, sorted. */
function packagesOf(files: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    const name = packageOfPath(file);
    if (name !== undefined) names.add(name);
  }
  return [...names].sort();
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

if (require.main === module) main(process.argv.slice(2));
