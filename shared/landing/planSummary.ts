import type { Plan } from '../marketplace';

/** What the page says about the plan; every field is plain text (escaped when rendered). */
export interface PlanSummary {
  /** The plan's display name, or its id when the plan list was unavailable. */
  name: string;
  description?: string;
  /** e.g. "$10.00 per seat per month"; absent when the plan list has no price for the term. */
  price?: string;
  /** e.g. "$50.00 per month for 5 seats" (per-seat plans with a known seat count). */
  total?: string;
}

const TERM_NAMES: Readonly<Record<string, string>> = {
  P1M: '1 month',
  P1Y: '1 year',
  P2Y: '2 years',
  P3Y: '3 years',
  P4Y: '4 years',
  P5Y: '5 years',
};

/** "1 month", "3 years"…, or the unit as received when Microsoft adds one we do not know. */
export function termName(termUnit: string | undefined): string | undefined {
  if (termUnit === undefined || termUnit === '') return undefined;
  return TERM_NAMES[termUnit.toUpperCase()] ?? termUnit;
}

const PER_TERM: Readonly<Record<string, string>> = {
  P1M: 'per month',
  P1Y: 'per year',
  P2Y: 'every 2 years',
  P3Y: 'every 3 years',
  P4Y: 'every 4 years',
  P5Y: 'every 5 years',
};

/** "per month", "every 3 years"…; for a unit we do not know, Microsoft's own description after a comma. */
function perTerm(termUnit: string | undefined, description: string | undefined): string {
  const known = termUnit === undefined ? undefined : PER_TERM[termUnit.toUpperCase()];
  if (known !== undefined) return ` ${known}`;
  const fallback = description ?? termName(termUnit);
  return fallback === undefined || fallback === '' ? '' : `, ${fallback}`;
}

export function formatMoney(amount: number, currency: string | undefined): string {
  if (currency !== undefined && /^[A-Za-z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(amount);
    } catch {
      // An ISO-shaped code this runtime does not know: fall through to the plain form.
    }
  }
  return `${amount.toFixed(2)}${currency ? ` ${currency}` : ''}`;
}

/**
 * Summarises the purchased plan (wording: "$49.00 per month", "$10.00 per seat per year") from `listAvailablePlans` (marketplace-api.md §2.10): its display
 * name and, when a recurring billing term matches the subscription's term unit, its price.
 */
export function summarizePlan(plan: Plan | undefined, subscription: { planId: string; quantity?: number; termUnit?: string }): PlanSummary {
  const summary: PlanSummary = { name: plan?.displayName?.trim() || subscription.planId };
  if (plan?.description) summary.description = plan.description;
  const unit = subscription.termUnit?.toUpperCase();
  const billing = plan?.planComponents?.recurrentBillingTerms?.find((term) => unit !== undefined && term.termUnit?.toUpperCase() === unit);
  if (billing?.price === undefined) return summary;
  const period = perTerm(billing.termUnit, billing.termDescription);
  const perSeat = plan?.isPricePerSeat === true;
  summary.price = `${formatMoney(billing.price, billing.currency)}${perSeat ? ' per seat' : ''}${period}`;
  if (perSeat && subscription.quantity !== undefined) {
    const seats = `${subscription.quantity} seat${subscription.quantity === 1 ? '' : 's'}`;
    summary.total = period.startsWith(',')
      ? `${formatMoney(billing.price * subscription.quantity, billing.currency)} for ${seats}${period}`
      : `${formatMoney(billing.price * subscription.quantity, billing.currency)}${period} for ${seats}`;
  }
  return summary;
}
