import type { Plan } from '../marketplace';
import type { Page } from '../storage/continuationToken';

/**
 * The plan catalog: every plan Microsoft listed for a subscription (List Available Plans, private
 * plans included), kept per offer and plan together, so the same plan id in two offers never
 * collides. A plan's presence here says it exists in the offer; whether one subscription may switch
 * to it (private audiences) is still decided by listAvailablePlans for that subscription.
 */
export interface CatalogDimension {
  id: string;
  displayName?: string;
  unitOfMeasure?: string;
  pricePerUnit?: number;
  currency?: string;
}

export interface CatalogBillingTerm {
  termUnit?: string;
  termDescription?: string;
  price?: number;
  currency?: string;
  /** Units of each dimension the flat fee includes per term (`units` stays a string, as Microsoft sends it). */
  meteredQuantityIncluded: Array<{ dimensionId: string; units: string }>;
}

export interface CatalogPlan {
  offerId: string;
  planId: string;
  displayName?: string;
  description?: string;
  isPrivate: boolean;
  isStopSell: boolean;
  hasFreeTrials: boolean;
  isPricePerSeat: boolean;
  minQuantity?: number;
  maxQuantity?: number;
  market?: string;
  meteringDimensions: CatalogDimension[];
  billingTerms: CatalogBillingTerm[];
  /** When Microsoft last listed it, and for which subscription. */
  learnedAt: string;
  learnedFromSubscriptionId: string;
}

export interface ListPlansOptions {
  /** 1–1000, default 100. */
  pageSize?: number;
  continuationToken?: string;
}

export const DEFAULT_PLAN_PAGE_SIZE = 100;

/** The port: Table Storage in production (tablePlanCatalog.ts), in memory in tests. */
export interface PlanCatalog {
  get(offerId: string, planId: string): Promise<CatalogPlan | undefined>;
  /** Stores what Microsoft listed; a plan already known is replaced by the newer copy. */
  save(plans: readonly CatalogPlan[]): Promise<void>;
  /** One offer's plans, by plan id. */
  listByOffer(offerId: string, options?: ListPlansOptions): Promise<Page<CatalogPlan>>;
  /** Every plan, by offer then plan id. */
  list(options?: ListPlansOptions): Promise<Page<CatalogPlan>>;
}

/** Microsoft's plan object (§2.10) as a catalog entry of `offerId`. Dimensions without an id are dropped. */
export function catalogPlanFromMarketplace(offerId: string, plan: Plan, learned: { at: string; subscriptionId: string }): CatalogPlan {
  const components = plan.planComponents;
  const entry: CatalogPlan = {
    offerId,
    planId: plan.planId,
    displayName: plan.displayName,
    description: plan.description,
    isPrivate: plan.isPrivate ?? false,
    isStopSell: plan.isStopSell ?? false,
    hasFreeTrials: plan.hasFreeTrials ?? false,
    isPricePerSeat: plan.isPricePerSeat ?? false,
    minQuantity: plan.minQuantity,
    maxQuantity: plan.maxQuantity,
    market: plan.market,
    meteringDimensions: (components?.meteringDimensions ?? []).flatMap((d) =>
      d.id === undefined || d.id.trim() === ''
        ? []
        : [withoutUndefined({ id: d.id, displayName: d.displayName, unitOfMeasure: d.unitOfMeasure, pricePerUnit: d.pricePerUnit, currency: d.currency })],
    ),
    billingTerms: (components?.recurrentBillingTerms ?? []).map((term) =>
      withoutUndefined({
        termUnit: term.termUnit,
        termDescription: term.termDescription,
        price: term.price,
        currency: term.currency,
        meteredQuantityIncluded: (term.meteredQuantityIncluded ?? []).flatMap((q) =>
          q.dimensionId === undefined || q.units === undefined ? [] : [{ dimensionId: q.dimensionId, units: q.units }],
        ),
      }),
    ),
    learnedAt: learned.at,
    learnedFromSubscriptionId: learned.subscriptionId,
  };
  return withoutUndefined(entry);
}

/** The dimension ids usage may be reported against. */
export function dimensionIds(plan: CatalogPlan): string[] {
  return plan.meteringDimensions.map((d) => d.id);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
