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
