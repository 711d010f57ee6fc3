import { z } from 'zod';
import { type TermUnit } from './subscription';
import { lenientNumber, optionalBoolean, optionalNumber, optionalString, optionalTrimmed, wrappedOrBareArray } from './lenient';

export interface RecurrentBillingTerm {
  currency?: string;
  price?: number;
  termUnit?: TermUnit;
  termDescription?: string;
  /** `units` is a string in the API (`"10"`); numbers are converted to strings. */
  meteredQuantityIncluded?: Array<{ dimensionId?: string; units?: string }>;
}

export interface MeteringDimension {
  id?: string;
  currency?: string;
  pricePerUnit?: number;
  unitOfMeasure?: string;
  displayName?: string;
}

/** A plan the subscription may switch to (marketplace-api.md §2.10). Unknown fields are kept. */
export interface Plan {
  planId: string;
  displayName?: string;
  isPrivate?: boolean;
  description?: string;
  minQuantity?: number;
  maxQuantity?: number;
  hasFreeTrials?: boolean;
  isPricePerSeat?: boolean;
  isStopSell?: boolean;
  market?: string;
  planComponents?: { recurrentBillingTerms?: RecurrentBillingTerm[]; meteringDimensions?: MeteringDimension[] };
  sourceOffers?: Array<{ externalId?: string }>;
}

const optionalArray = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((value) => value ?? undefined);

const billingTermSchema = z.looseObject({
  currency: optionalString,
  price: optionalNumber,
  termUnit: optionalTrimmed,
  termDescription: optionalString,
  meteredQuantityIncluded: optionalArray(
    z.looseObject({
      dimensionId: optionalString,
      units: z
        .union([z.string(), lenientNumber])
        .nullish()
        .transform((value) => (value == null ? undefined : String(value))),
    }),
  ),
});

const dimensionSchema = z.looseObject({
  id: optionalString,
  currency: optionalString,
  pricePerUnit: optionalNumber,
  unitOfMeasure: optionalString,
  displayName: optionalString,
});

export const planSchema: z.ZodType<Plan> = z.looseObject({
  planId: z.string(),
  displayName: optionalString,
  isPrivate: optionalBoolean,
  description: optionalString,
  minQuantity: optionalNumber,
  maxQuantity: optionalNumber,
  hasFreeTrials: optionalBoolean,
  isPricePerSeat: optionalBoolean,
  isStopSell: optionalBoolean,
  market: optionalString,
  planComponents: z
    .looseObject({ recurrentBillingTerms: optionalArray(billingTermSchema), meteringDimensions: optionalArray(dimensionSchema) })
    .nullish()
    .transform((value) => value ?? undefined),
  sourceOffers: optionalArray(z.looseObject({ externalId: optionalString })),
});

/** `{ "plans": [...] }` as documented, or a bare array (`[]` from Microsoft's SaaS API emulator). */
export const planListSchema: z.ZodType<Plan[]> = wrappedOrBareArray('plans', planSchema);
