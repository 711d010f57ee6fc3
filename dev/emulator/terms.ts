/** Term arithmetic: `P1M`, `P1Y`, `P3Y` … as calendar months, with the docs' "endDate is the last valid day". */

const DAY_MS = 24 * 60 * 60 * 1000;

export function termMonths(termUnit: string): number {
  const match = /^P(\d+)([MY])$/.exec(termUnit);
  if (!match) throw new RangeError(`Unsupported term unit ${termUnit}`);
  const count = Number(match[1]);
  return match[2] === 'Y' ? count * 12 : count;
}

export function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** Adds calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonthsUtc(date: Date, months: number): Date {
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target;
}

/** `2024-01-15T00:00:00Z`, the form term dates take in recorded responses. */
export function formatTermDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface TermDates {
  startDate: string;
  endDate: string;
  /** When the next term starts (the renewal instant), in ms. */
  renewsAt: number;
}

export function termDates(start: Date, termUnit: string): TermDates {
  const first = startOfUtcDay(start);
  const next = addMonthsUtc(first, termMonths(termUnit));
  return { startDate: formatTermDate(first), endDate: formatTermDate(new Date(next.getTime() - DAY_MS)), renewsAt: next.getTime() };
}

/** The renewal instant of a term whose last valid day is `endDate`. */
export function renewalInstant(endDate: string): number {
  return new Date(endDate).getTime() + DAY_MS;
}
