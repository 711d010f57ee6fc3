import type { LineWriter } from '../../shared/logging';

export interface LineBuffer {
  readonly write: LineWriter;
  /** Writes what is pending now. */
  flush(): void;
}

type Streams = Record<'stdout' | 'stderr', { write(text: string): unknown }>;

/**
 * The host's log lines, written once per turn of the event loop instead of once per line: under
 * load the host logs a line or two per request, and each write to a pipe is a system call, 4% (a
 * webhook acknowledgement, one line) to 10% (a 401, two lines) of the host's CPU in a `--cpu-prof`
 * of the webhook bench. Lines keep their order per stream. `exit` (a normal stop, an uncaught error)
 * writes what is pending (stdout and stderr are synchronous for files and pipes on Linux), so only
 * a SIGKILL can lose the last turn's lines.
 */
export function createLineBuffer(streams: Streams = process): LineBuffer {
  const pending = { stdout: [] as string[], stderr: [] as string[] };
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (pending[stream].length === 0) continue;
      const text = pending[stream].join('');
      pending[stream] = [];
      streams[stream].write(text);
    }
  };
  process.once('exit', flush);
  return {
    write(text, stream) {
      pending[stream].push(text);
      if (scheduled) return;
      scheduled = true;
      setImmediate(flush);
    },
    flush,
  };
}
