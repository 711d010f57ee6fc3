import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run bench [-- name…]`: runs every `*.bench.js` beside this file (or the one an argument names
 * exactly with its companions, e.g. `webhook` and `webhookTelemetry`, else those whose name contains
 * it), one after another, each printing its own figures.
 * Benchmarks measure; they never pass or fail on a number (these machines are noisy).
 */
async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const all = readdirSync(__dirname).filter((file) => file.endsWith('.bench.js'));
  // A benchmark's exact name selects it and its companions named after it (`webhook`: the webhook
  // bench, then webhookTelemetry, the acknowledgement with and without telemetry; not `webhooks…`);
  // otherwise any name containing the word.
  const selects = (file: string, filter: string): boolean =>
    all.includes(`${filter}.bench.js`) ? file === `${filter}.bench.js` || (file.startsWith(filter) && /^[A-Z]/.test(file.slice(filter.length))) : file.includes(filter);
  const benches = all.filter((file) => filters.length === 0 || filters.some((f) => selects(file, f))).sort();
  if (benches.length === 0) {
    process.stderr.write(`no benchmark matches ${filters.join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`node ${process.version}, ${process.platform}/${process.arch}\n`);
  for (const file of benches) {
    process.stdout.write(`\n## ${file.replace(/\.bench\.js$/, '')}\n`);
    const bench = (await import(path.join(__dirname, file))) as { run: () => Promise<void> };
    await bench.run();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
