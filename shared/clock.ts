/** Time as an input: domain code never reads the system clock itself. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
};

/** A clock that stands still unless moved; for tests and simulations. */
export function fixedClock(start: Date | string | number): Clock & { advance(ms: number): void; set(at: Date | string | number): void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    set(at: Date | string | number) {
      current = new Date(at).getTime();
    },
  };
}
