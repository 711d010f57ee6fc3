import path from 'node:path';
import { packageApp, probeRegistrations } from '../package/package';
import { LOAD_LAZY, REQUIRE, type RegistrationProbe } from '../package/loadRegistrations';
import { formatMs, percentile } from './stats';

/**
 * Cold load of every function registration: the deployment artifact (build/app/main.js, with
 * lazy.js beside it) against today's unbundled build (dist/functions/*.js and node_modules). Each
 * sample is a fresh Node process that provides `@azure/functions-core` as the worker does and
 * requires the entry files; the two kinds alternate so that machine noise hits both alike. Then,
 * in the same process, as the first invocations would, it loads every package our code requires
 * on first use (the artifact from lazy.js, dist from node_modules).
 * Figures: medians of ROUNDS samples each, and the artifact / dist ratio. Run it under another
 * Node (the deployed Node 22) with `<that node> dist/dev/bench/run.js artifact`.
 */
const ROUNDS = 7;

interface Sample {
  loadMs: number;
  processMs: number;
  rssMb: number;
  rssDeltaMb: number;
  files: number;
  kib: number;
  lazyMs: number;
  lazyRssMb: number;
}

const mb = (bytes: number): number => bytes / (1024 * 1024);

function sample(root: string, entries: string[], cwd: string): Sample {
  const began = performance.now();
  const probe: RegistrationProbe = probeRegistrations(root, entries, cwd);
  const processMs = performance.now() - began;
  if (probe.lazy === undefined) throw new Error(`the probe of ${entries.join(' ')} loaded no package after registration`);
  return {
    loadMs: probe.loadMs,
    processMs,
    rssMb: mb(probe.rssBytes),
    rssDeltaMb: mb(probe.rssBytes - probe.baselineRssBytes),
    files: probe.filesLoaded,
    kib: probe.bytesLoaded / 1024,
    lazyMs: probe.lazy.loadMs,
    lazyRssMb: mb(probe.lazy.rssBytes),
  };
}

export async function run(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const packaged = await packageApp({ root });
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
  console.log(`artifact: ${packaged.functionCount} functions, main.js ${kib(packaged.bundleBytes)}, lazy.js ${kib(packaged.lazyBytes)} (${packaged.lazyPackages.join(', ')})`);
  const artifactEntries = ['main.js', LOAD_LAZY];
  const distEntries = ['dist/functions/*.js', `${REQUIRE}${packaged.lazyPackages.join(',')}`];
  const artifact: Sample[] = [];
  const dist: Sample[] = [];
  // One warm-up each (file system cache), not counted.
  sample(root, artifactEntries, packaged.outDir);
  sample(root, distEntries, root);
  for (let round = 0; round < ROUNDS; round += 1) {
    artifact.push(sample(root, artifactEntries, packaged.outDir));
    dist.push(sample(root, distEntries, root));
  }
  const median = (samples: Sample[], key: keyof Sample): number => percentile(samples.map((s) => s[key]), 50);
  const row = (label: string, key: keyof Sample, unit: (n: number) => string): string => {
    const a = median(artifact, key);
    const d = median(dist, key);
    return `${label.padEnd(44)} artifact ${unit(a).padStart(10)}   dist ${unit(d).padStart(10)}   ratio ${(a / d).toFixed(2)}`;
  };
  const megabytes = (n: number): string => `${n.toFixed(1)} MB`;
  console.log(`medians of ${ROUNDS} fresh processes each (alternating):`);
  console.log(row('load all registrations (require)', 'loadMs', formatMs));
  console.log(row('process start to exit', 'processMs', formatMs));
  console.log(row('RSS after loading', 'rssMb', megabytes));
  console.log(row('RSS added by loading', 'rssDeltaMb', megabytes));
  console.log(row('files read by loading', 'files', (n) => n.toFixed(0)));
  console.log(row('source read and compiled by loading', 'kib', (n) => `${n.toFixed(0)} KiB`));
  console.log(row('then: load the packages used on first use', 'lazyMs', formatMs));
  console.log(row('then: RSS after those', 'lazyRssMb', megabytes));
}
