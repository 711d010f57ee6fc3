export interface Backoff {
  /** The delay before the next poll after an empty (or failed) poll; grows up to the maximum. */
  next(): number;
  /** Back to the minimum (a poll returned messages). */
  reset(): void;
}

export interface BackoffOptions {
  minimumMs: number;
  maximumMs: number;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
}

const RANDOMIZATION_FACTOR = 0.2;

/**
 * WebJobs' RandomizedExponentialBackoffStrategy: starting at the minimum, each empty poll adds
 * minimum × 2^(n-1) × (1 ± 20 %), capped at the maximum.
 */
export function createBackoff(options: BackoffOptions): Backoff {
  const { minimumMs, maximumMs } = options;
  const random = options.random ?? Math.random;
  let current = minimumMs;
  let exponent = 0;
  return {
    next() {
      if (current < maximumMs) {
        const factor = 1 - RANDOMIZATION_FACTOR + random() * 2 * RANDOMIZATION_FACTOR;
        const candidate = exponent > 0 ? minimumMs + factor * 2 ** (exponent - 1) * minimumMs : minimumMs;
        if (candidate < maximumMs) {
          current = candidate;
          exponent += 1;
        } else {
          current = maximumMs;
        }
      }
      return Math.round(Math.min(current, maximumMs));
    },
    reset() {
      current = minimumMs;
      exponent = 0;
    },
  };
}
