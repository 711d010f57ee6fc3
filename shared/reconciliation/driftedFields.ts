import { marketplaceFieldsDiffer } from '../subscription/fromMarketplace';
import type { SubscriptionRecord, Term } from '../subscription/model';

const sameInstant = (a: string | undefined, b: string | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && Date.parse(a) === Date.parse(b));

/** Terms compared by meaning: dates as instants, a null charge duration equal to none. */
export function sameTerm(a: Term, b: Term): boolean {
  return (
    a.termUnit === b.termUnit &&
    sameInstant(a.startDate, b.startDate) &&
    sameInstant(a.endDate, b.endDate) &&
    (a.chargeDuration ?? undefined) === (b.chargeDuration ?? undefined)
  );
}

/**
 * The Microsoft-owned fields in which `local` differs from `truth` (both records; build `truth`
 * with recordFromMarketplace). Our bookkeeping (timestamps, lastError, retainUntil) is ignored.
 */
export function driftedFields(local: SubscriptionRecord, truth: SubscriptionRecord): string[] {
  return marketplaceFieldsDiffer(local, truth).filter((field) => field !== 'term' || !sameTerm(local.term, truth.term));
}

/** `record`'s values of `fields`, for a history row ("from" / "to"). */
export function pickFields(record: SubscriptionRecord, fields: readonly string[]): Record<string, unknown> {
  const values = record as unknown as Record<string, unknown>;
  return Object.fromEntries(fields.map((field) => [field, values[field] ?? null]));
}
