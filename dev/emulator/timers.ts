/** Real-time timers the emulator owns, so stop() can cancel every pending one. */
export class Timers {
  private readonly handles = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();

  after(ms: number, run: () => void): void {
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      run();
    }, ms);
    handle.unref();
    this.handles.add(handle);
  }

  /** Resolves after `ms`, or at once when the timers are cleared. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleepers.delete(wake);
        resolve();
      };
      this.sleepers.add(wake);
      this.after(ms, wake);
    });
  }

  clear(): void {
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
    for (const wake of [...this.sleepers]) wake();
  }
}
