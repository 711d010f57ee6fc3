import { z } from 'zod';

const billingTermSchema = z.object({
  termUnit: z.string().regex(/^P\d+[MY]$/),
  price: z.number().min(0),
  currency: z.string().default('USD'),
  termDescription: z.string(),
  meteredQuantityIncluded: z.array(z.object({ dimensionId: z.string(), units: z.string() })).optional(),
});

const meteringDimensionSchema = z.object({
  id: z.string().min(1),
  currency: z.string().default('USD'),
  pricePerUnit: z.number().min(0),
  unitOfMeasure: z.string(),
  displayName: z.string(),
});

const planSchema = z
  .object({
    planId: z.string().min(1),
    displayName: z.string(),
    description: z.string().default(''),
    isPrivate: z.boolean().default(false),
    /** Tenant ids that may buy or switch to a private plan. */
    audience: z.array(z.string()).default([]),
    isPricePerSeat: z.boolean().default(false),
    minQuantity: z.number().int().min(1).optional(),
    maxQuantity: z.number().int().min(1).optional(),
    hasFreeTrials: z.boolean().default(false),
    isStopSell: z.boolean().default(false),
    market: z.string().default('US'),
    recurrentBillingTerms: z.array(billingTermSchema).min(1),
    meteringDimensions: z.array(meteringDimensionSchema).default([]),
  })
  .refine((plan) => !plan.isPricePerSeat || (plan.minQuantity !== undefined && plan.maxQuantity !== undefined && plan.minQuantity <= plan.maxQuantity), {
    message: 'per-seat plans need minQuantity <= maxQuantity',
  });

const offerSchema = z.object({
  offerId: z.string().min(1),
  displayName: z.string(),
  plans: z.array(planSchema).min(1),
});

/** The offers the emulator sells. Validate a custom catalog (e.g. from a JSON file) with this schema. */
export const catalogSchema = z.object({
  publisherId: z.string().min(1),
  offers: z.array(offerSchema).min(1),
});

export type CatalogInput = z.input<typeof catalogSchema>;
export type Catalog = z.infer<typeof catalogSchema>;
export type Offer = Catalog['offers'][number];
export type Plan = Offer['plans'][number];

/** The customer tenant that can see the built-in private plan. */
export const PRIVATE_AUDIENCE_TENANT_ID = '7d3f8c2a-5b1e-4f9a-9c6d-2e8b4a1f0c37';

const monthly = (price: number, included?: { dimensionId: string; units: string }[]): z.input<typeof billingTermSchema> => ({
  termUnit: 'P1M',
  price,
  termDescription: '1 Month Subscription',
  ...(included ? { meteredQuantityIncluded: included } : {}),
});
const yearly = (price: number): z.input<typeof billingTermSchema> => ({ termUnit: 'P1Y', price, termDescription: '1 Year Subscription' });

const analyticsDimensions = [
  { id: 'api-calls', pricePerUnit: 0.5, unitOfMeasure: 'Per 1000 calls', displayName: 'API calls (per 1000)' },
  { id: 'storage-gb', pricePerUnit: 0.1, unitOfMeasure: 'Per GB per hour', displayName: 'Storage (GB-hours)' },
];

export const DEFAULT_CATALOG: Catalog = catalogSchema.parse({
  publisherId: 'contoso',
  offers: [
    {
      offerId: 'contoso-analytics',
      displayName: 'Contoso Analytics (flat rate)',
      plans: [
        {
          planId: 'starter',
          displayName: 'Starter',
          description: 'Monthly flat rate with metered API calls and storage.',
          recurrentBillingTerms: [monthly(49, [{ dimensionId: 'api-calls', units: '100' }])],
          meteringDimensions: analyticsDimensions,
        },
        {
          planId: 'professional',
          displayName: 'Professional',
          description: 'Monthly or annual flat rate.',
          recurrentBillingTerms: [monthly(199, [{ dimensionId: 'api-calls', units: '1000' }]), yearly(1990)],
          meteringDimensions: analyticsDimensions,
        },
        {
          planId: 'enterprise-3y',
          displayName: 'Enterprise (3 years)',
          description: 'Three-year commitment.',
          recurrentBillingTerms: [{ termUnit: 'P3Y', price: 15000, termDescription: '3 Year Subscription' }],
        },
        {
          planId: 'gold-private',
          displayName: 'Gold (private)',
          description: 'Negotiated plan for one customer.',
          isPrivate: true,
          audience: [PRIVATE_AUDIENCE_TENANT_ID],
          recurrentBillingTerms: [monthly(99), yearly(990)],
        },
        {
          planId: 'trial',
          displayName: 'Trial',
          description: 'One month free, then monthly.',
          hasFreeTrials: true,
          recurrentBillingTerms: [monthly(29)],
        },
        {
          planId: 'legacy',
          displayName: 'Legacy (stop sell)',
          description: 'No longer sold.',
          isStopSell: true,
          recurrentBillingTerms: [monthly(19)],
        },
      ],
    },
    {
      offerId: 'contoso-seats',
      displayName: 'Contoso Workspace (per seat)',
      plans: [
        {
          planId: 'team',
          displayName: 'Team',
          description: 'Per user, 1 to 50 seats.',
          isPricePerSeat: true,
          minQuantity: 1,
          maxQuantity: 50,
          recurrentBillingTerms: [monthly(10), yearly(100)],
        },
        {
          planId: 'business',
          displayName: 'Business',
          description: 'Per user, 10 to 500 seats.',
          isPricePerSeat: true,
          minQuantity: 10,
          maxQuantity: 500,
          recurrentBillingTerms: [monthly(8), yearly(80)],
        },
      ],
    },
  ],
});

export function findOffer(catalog: Catalog, offerId: string): Offer | undefined {
  return catalog.offers.find((offer) => offer.offerId === offerId);
}

export function findPlan(catalog: Catalog, offerId: string, planId: string): Plan | undefined {
  return findOffer(catalog, offerId)?.plans.find((plan) => plan.planId === planId);
}

/** Plans a beneficiary may hold: public ones and private ones whose audience names the tenant. */
export function isPlanVisibleTo(plan: Plan, tenantId: string): boolean {
  return !plan.isPrivate || plan.audience.includes(tenantId);
}

/** The Plan object of listAvailablePlans (§2.10). */
export function planView(plan: Plan): Record<string, unknown> {
  return {
    planId: plan.planId,
    displayName: plan.displayName,
    isPrivate: plan.isPrivate,
    description: plan.description,
    ...(plan.isPricePerSeat ? { minQuantity: plan.minQuantity, maxQuantity: plan.maxQuantity } : {}),
    hasFreeTrials: plan.hasFreeTrials,
    isPricePerSeat: plan.isPricePerSeat,
    isStopSell: plan.isStopSell,
    market: plan.market,
    planComponents: {
      recurrentBillingTerms: plan.recurrentBillingTerms,
      meteringDimensions: plan.meteringDimensions,
    },
  };
}
