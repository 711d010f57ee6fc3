/**
 * Children of `npm start` (Azurite, the local Functions host) stop when the process that started
 * them goes away, even when it could not tell them (SIGKILL, a crash): each one watches its parent
 * process id and, once it changes (the child was re-parented), stops itself with SIGTERM (its
 * normal shutdown), or exits outright 5 s later if that shutdown hangs.
 */
export const PARENT_WATCH_INTERVAL_MS = 500;
const FORCED_EXIT_AFTER_MS = 5_000;

/** Calls `onOrphaned` once when this process's parent is gone. The timer never keeps the process alive. */
export function watchParent(onOrphaned: () => void, intervalMs = PARENT_WATCH_INTERVAL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The same watch as a module preloaded into a child we do not own (Azurite): pass it to `node` as
 * `--import <this>` before the script. A data: URL, so it works whether the app runs from dist/ or
 * from TypeScript sources under jest.
 */
export const PARENT_WATCH_IMPORT =
  'data:text/javascript,' +
  encodeURIComponent(
    `const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  setTimeout(() => process.exit(1), ${FORCED_EXIT_AFTER_MS}).unref();
  process.kill(process.pid, 'SIGTERM');
}, ${PARENT_WATCH_INTERVAL_MS});
timer.unref();`,
  );

/** The node arguments that preload the watch. */
export const PARENT_WATCH_ARGS: readonly string[] = ['--import', PARENT_WATCH_IMPORT];
