import path from 'node:path';
import { silentLogger } from '../../shared/logging';
import { createCoreRegistry, installCoreModule } from '../host/coreModule';
import { expandEntryPatterns } from '../host/glob';

/**
 * `node dist/dev/package/loadRegistrations.js <entry file|glob>…`: loads an app's entry files in
 * this (fresh) process the way the worker does, with `@azure/functions-core` provided, and prints
 * one JSON line: how long the entry files took to load, the process RSS afterwards, and every
 * registered function with its bindings. Used by `npm run package` (to check that the bundle
 * registers what the unbundled build does) and by the artifact benchmark.
 */
export interface RegistrationProbe {
  loadMs: number;
  /** Process RSS right after loading, in bytes. */
  rssBytes: number;
  /** RSS before loading (the process and this probe alone), in bytes. */
  baselineRssBytes: number;
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
  const files = expandEntryPatterns(args, process.cwd());
  const registry = createCoreRegistry(silentLogger);
  installCoreModule(registry.api);
  const baselineRssBytes = process.memoryUsage.rss();
  const began = performance.now();
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.resolve(file));
  }
  const loadMs = performance.now() - began;
  const rssBytes = process.memoryUsage.rss();
  const functions = [...registry.functions.values()].map(({ metadata }) => ({
    name: metadata.name,
    bindings: Object.values(metadata.bindings ?? {})
      .map((binding) => sortKeys(binding as Record<string, unknown>))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  }));
  functions.sort((a, b) => a.name.localeCompare(b.name));
  const probe: RegistrationProbe = { loadMs, rssBytes, baselineRssBytes, functions };
  process.stdout.write(`${JSON.stringify(probe)}\n`);
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

if (require.main === module) main(process.argv.slice(2));
