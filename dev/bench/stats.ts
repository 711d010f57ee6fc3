/** Small helpers shared by the benchmarks. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function formatMs(ms: number): string {
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

/** Runs `task` `total` times with at most `concurrency` in flight; returns each call's duration in ms. */
export async function timed(total: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<{ durations: number[]; wallMs: number }> {
  const durations: number[] = [];
  let next = 0;
  const began = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next;
      next += 1;
      const start = performance.now();
      await task(i);
      durations.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { durations, wallMs: performance.now() - began };
}

export function report(label: string, result: { durations: number[]; wallMs: number }): string {
  const { durations, wallMs } = result;
  const rate = (durations.length / wallMs) * 1000;
  return `${label}: ${durations.length} in ${formatMs(wallMs)} (${rate.toFixed(0)}/s), p50 ${formatMs(percentile(durations, 50))}, p99 ${formatMs(percentile(durations, 99))}`;
}
