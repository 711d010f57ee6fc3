import type { Plan } from '../marketplace';

/** What the page says about the plan; every field is plain text (escaped when rendered). */
export interface PlanSummary {
  /** The plan's display name, or its id when the plan list was unavailable. */
  name: string;
  description?: string;
  /** e.g. "$10.00 per seat, 1 Month Subscription"; absent when the plan list has no price for the term. */
  price?: string;
  /** e.g. "$50.00 for 5 seats, 1 Month Subscription" (per-seat plans with a known seat count). */
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
 * Summarises the purchased plan from `listAvailablePlans` (marketplace-api.md §2.10): its display
 * name and, when a recurring billing term matches the subscription's term unit, its price.
 */
export function summarizePlan(plan: Plan | undefined, subscription: { planId: string; quantity?: number; termUnit?: string }): PlanSummary {
  const summary: PlanSummary = { name: plan?.displayName?.trim() || subscription.planId };
  if (plan?.description) summary.description = plan.description;
  const unit = subscription.termUnit?.toUpperCase();
  const billing = plan?.planComponents?.recurrentBillingTerms?.find((term) => unit !== undefined && term.termUnit?.toUpperCase() === unit);
  if (billing?.price === undefined) return summary;
  const period = billing.termDescription ?? termName(billing.termUnit) ?? '';
  const suffix = period === '' ? '' : `, ${period}`;
  const perSeat = plan?.isPricePerSeat === true;
  summary.price = `${formatMoney(billing.price, billing.currency)}${perSeat ? ' per seat' : ''}${suffix}`;
  if (perSeat && subscription.quantity !== undefined) {
    const seats = `${subscription.quantity} seat${subscription.quantity === 1 ? '' : 's'}`;
    summary.total = `${formatMoney(billing.price * subscription.quantity, billing.currency)} for ${seats}${suffix}`;
  }
  return summary;
}
