import type { BucketTotals } from './model';

/**
 * Usage quantities: what one event may carry, and exact sums.
 *
 * Microsoft's metering API takes `quantity` as a JSON double that must be greater than 0
 * (marketplace-api.md §7.1: "must be greater than 0 or a double integer"; `InvalidQuantity` means
 * "lower or equal to 0"); its pages name no upper bound and no precision. A double carries 15
 * significant decimal digits exactly, so this app bounds each hour of each dimension (and so each
 * record) to 1,000,000,000 units with at most 6 decimals: every total up to the bound is an exact
 * decimal in a double (at most 15 significant digits), sums never drift (`0.1 + 0.2` is `0.3`), and
 * no total can reach `Infinity` or lose units (`5e15 + 1` is refused instead of becoming
 * `10000000000000004`).
 */
export const MAX_USAGE_QUANTITY = 1_000_000_000;
export const QUANTITY_DECIMALS = 6;
const SCALE = 10 ** QUANTITY_DECIMALS;
const SCALE_BIG = BigInt(SCALE);
const MAX_UNITS = BigInt(MAX_USAGE_QUANTITY) * SCALE_BIG;

/** Why `quantity` cannot be reported, or undefined when it can. */
export function quantityProblem(quantity: number): string | undefined {
  if (!Number.isFinite(quantity) || quantity <= 0) return `quantity must be a finite number greater than 0, got ${String(quantity)}`;
  if (quantity > MAX_USAGE_QUANTITY) {
    return `quantity ${String(quantity)} is above ${MAX_USAGE_QUANTITY.toLocaleString('en-US')}, the most one hour of one dimension can report (a larger total would lose units in Microsoft's double-precision quantity)`;
  }
  if (!hasAtMostDecimals(quantity)) return `quantity ${String(quantity)} has more than ${QUANTITY_DECIMALS} decimals; report at most ${QUANTITY_DECIMALS}`;
  return undefined;
}

function hasAtMostDecimals(quantity: number): boolean {
  return Number(quantity.toFixed(QUANTITY_DECIMALS)) === quantity;
}

/**
 * An exact running total of quantities, in millionths held as a BigInt: the order of addition does
 * not matter and no float noise builds up. Quantities with more decimals (stored before the bound)
 * count rounded to 6 decimals.
 */
export class QuantitySum {
  private units = 0n;
  /** True once an added quantity was not finite: the total cannot be reported. */
  private overflow = false;

  add(quantity: number): this {
    const scaled = Math.round(quantity * SCALE);
    if (Number.isFinite(scaled)) this.units += BigInt(scaled);
    else this.overflow = true;
    return this;
  }

  /** The total as a number (exact for totals within the bound). */
  value(): number {
    if (this.overflow) return Number.POSITIVE_INFINITY;
    const magnitude = this.units < 0n ? -this.units : this.units;
    const text = `${magnitude / SCALE_BIG}.${(magnitude % SCALE_BIG).toString().padStart(QUANTITY_DECIMALS, '0')}`;
    return this.units < 0n ? -Number(text) : Number(text);
  }

  /** True when the total is more than one hour of one dimension may report. */
  exceedsBound(): boolean {
    return this.overflow || this.units > MAX_UNITS;
  }
}

/** The exact sum of `quantities`. */
export function sumQuantities(...quantities: number[]): number {
  const sum = new QuantitySum();
  for (const quantity of quantities) sum.add(quantity);
  return sum.value();
}

/** The totals of one hour (billable and late records), summed exactly. */
export class BucketTotalsSum {
  private readonly billable = new QuantitySum();
  private readonly late = new QuantitySum();
  private billableRecords = 0;
  private lateRecords = 0;

  add(record: { quantity: number; late?: boolean }): void {
    if (record.late === true) {
      this.late.add(record.quantity);
      this.lateRecords += 1;
    } else {
      this.billable.add(record.quantity);
      this.billableRecords += 1;
    }
  }

  totals(): BucketTotals {
    return { billableQuantity: this.billable.value(), billableRecords: this.billableRecords, lateQuantity: this.late.value(), lateRecords: this.lateRecords };
  }
}
