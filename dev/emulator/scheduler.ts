import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logging';

/** The emulator's business clock: the injected clock plus an offset that POST /control/clock moves. */
export interface EmulatorClock extends Clock {
  /** Moves emulator time forward (not the injected clock). */
  advance(ms: number): void;
  offsetMs(): number;
  reset(): void;
}

export function createEmulatorClock(base: Clock): EmulatorClock {
  let offset = 0;
  return {
    now: () => new Date(base.now().getTime() + offset),
    advance(ms: number) {
      offset += ms;
    },
    offsetMs: () => offset,
    reset() {
      offset = 0;
    },
  };
}

interface Task {
  at: number;
  seq: number;
  run: () => void;
}

const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs tasks when emulator time reaches them. Time can move in two ways: the clock advances on
 * its own (a real timer fires) or jumps (control API, fixed test clocks); `runDue()` is therefore
 * also called on every request, so a jump is noticed before the request is answered.
 */
export class Scheduler {
  private tasks: Task[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private running = false;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  at(time: number, run: () => void): void {
    this.tasks.push({ at: time, seq: (this.seq += 1), run });
    this.arm();
  }

  /** Runs every task that is due, oldest first, including tasks that due tasks schedule. */
  runDue(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (;;) {
        const now = this.clock.now().getTime();
        const due = this.tasks.filter((task) => task.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!due) break;
        this.tasks = this.tasks.filter((task) => task !== due);
        try {
          due.run();
        } catch (error) {
          this.logger.error('scheduled emulator task failed', { error });
        }
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }

  clear(): void {
    this.tasks = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  stop(): void {
    this.clear();
    this.stopped = true;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.tasks.length === 0) return;
    const next = Math.min(...this.tasks.map((task) => task.at));
    const delay = Math.min(Math.max(0, next - this.clock.now().getTime()), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.runDue(), delay);
    this.timer.unref();
  }
}
