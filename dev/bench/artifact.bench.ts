import path from 'node:path';
import { packageApp, probeRegistrations } from '../package/package';
import type { RegistrationProbe } from '../package/loadRegistrations';
import { formatMs, percentile } from './stats';

/**
 * Cold load of every function registration: the deployment artifact (build/app/main.js, one
 * bundled file) against today's unbundled build (dist/functions/*.js and node_modules). Each
 * sample is a fresh Node process that provides `@azure/functions-core` as the worker does and
 * requires the entry files; the two kinds alternate so that machine noise hits both alike.
 * Figures: medians of ROUNDS samples each, and the artifact / dist ratio.
 */
const ROUNDS = 7;

interface Sample {
  loadMs: number;
  processMs: number;
  rssMb: number;
  rssDeltaMb: number;
}

function sample(root: string, entries: string[], cwd: string): Sample {
  const began = performance.now();
  const probe: RegistrationProbe = probeRegistrations(root, entries, cwd);
  const processMs = performance.now() - began;
  const mb = (bytes: number): number => bytes / (1024 * 1024);
  return { loadMs: probe.loadMs, processMs, rssMb: mb(probe.rssBytes), rssDeltaMb: mb(probe.rssBytes - probe.baselineRssBytes) };
}

export async function run(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const packaged = await packageApp({ root });
  console.log(`artifact: ${packaged.functionCount} functions, main.js ${(packaged.bundleBytes / 1024).toFixed(0)} KiB`);
  const artifact: Sample[] = [];
  const dist: Sample[] = [];
  // One warm-up each (file system cache), not counted.
  sample(root, ['main.js'], packaged.outDir);
  sample(root, ['dist/functions/*.js'], root);
  for (let round = 0; round < ROUNDS; round += 1) {
    artifact.push(sample(root, ['main.js'], packaged.outDir));
    dist.push(sample(root, ['dist/functions/*.js'], root));
  }
  const median = (samples: Sample[], key: keyof Sample): number => percentile(samples.map((s) => s[key]), 50);
  const row = (label: string, key: keyof Sample, unit: (n: number) => string): string => {
    const a = median(artifact, key);
    const d = median(dist, key);
    return `${label.padEnd(34)} artifact ${unit(a).padStart(10)}   dist ${unit(d).padStart(10)}   ratio ${(a / d).toFixed(2)}`;
  };
  const mb = (n: number): string => `${n.toFixed(1)} MB`;
  console.log(`medians of ${ROUNDS} fresh processes each (alternating):`);
  console.log(row('load all registrations (require)', 'loadMs', formatMs));
  console.log(row('process start to exit', 'processMs', formatMs));
  console.log(row('RSS after loading', 'rssMb', mb));
  console.log(row('RSS added by loading', 'rssDeltaMb', mb));
}
