/**
 * The Node binary and flags the measuring processes of a benchmark run with: `BENCH_NODE` (a path;
 * default: the node running the bench) and `BENCH_NODE_ARGS` (space-separated, e.g.
 * `--experimental-async-context-frame`), so the same figures can be taken on each runtime the app
 * may be deployed on.
 */
export function childRuntime(): { node: string; args: string[] } {
  const node = process.env.BENCH_NODE?.trim() ?? '';
  const args = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg.length > 0);
  return { node: node.length > 0 ? node : process.execPath, args };
}

/**
 * The end of a measuring process: `measure`'s figures as one JSON line on stdout and exit 0, or the
 * error on stderr and exit 1.
 */
export function reportFromChild(measure: () => Promise<unknown>): void {
  measure().then(
    (figures) => {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
