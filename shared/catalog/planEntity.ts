import { z } from 'zod';
import {
  dropUndefined,
  finishEntity,
  integerColumn,
  jsonColumn,
  parseStoredEntity,
  schemaVersionColumn,
  timestampColumn,
  validateRecord,
  type TableRow,
} from '../storage/entityCodec';
import { assertValidKey } from '../storage/tableKeys';
import type { CatalogPlan } from './planCatalog';

/**
 * Plans table: PartitionKey = offer id, RowKey = plan id (both escaped, see `catalogKey`), so one
 * offer's plans are one partition and the same plan id in two offers are two rows.
 */
export const PLAN_SCHEMA_VERSION = 1;

/** Characters outside `[A-Za-z0-9._~-]` become `!` + UTF-8 hex: any id becomes a valid, distinct key. */
export function catalogKey(value: string): string {
  let out = '';
  for (const char of value) out += /^[A-Za-z0-9._~-]$/.test(char) ? char : `!${Buffer.from(char, 'utf8').toString('hex')}`;
  return assertValidKey(out, 'plan catalog key');
}

const dimensionSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().optional(),
  unitOfMeasure: z.string().optional(),
  pricePerUnit: z.number().optional(),
  currency: z.string().optional(),
});

const billingTermSchema = z.object({
  termUnit: z.string().optional(),
  termDescription: z.string().optional(),
  price: z.number().optional(),
  currency: z.string().optional(),
  meteredQuantityIncluded: z.array(z.object({ dimensionId: z.string(), units: z.string() })),
});

const planSchema = z.object({
  offerId: z.string().min(1),
  planId: z.string().min(1),
  displayName: z.string().optional(),
  description: z.string().optional(),
  isPrivate: z.boolean(),
  isStopSell: z.boolean(),
  hasFreeTrials: z.boolean(),
  isPricePerSeat: z.boolean(),
  minQuantity: z.number().int().optional(),
  maxQuantity: z.number().int().optional(),
  market: z.string().optional(),
  meteringDimensions: z.array(dimensionSchema),
  billingTerms: z.array(billingTermSchema),
  learnedAt: z.string().min(1),
  learnedFromSubscriptionId: z.string().min(1),
});

const planEntitySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  schemaVersion: schemaVersionColumn(PLAN_SCHEMA_VERSION),
  offerId: z.string(),
  planId: z.string(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  isPrivate: z.boolean(),
  isStopSell: z.boolean(),
  hasFreeTrials: z.boolean(),
  isPricePerSeat: z.boolean(),
  minQuantity: integerColumn.optional(),
  maxQuantity: integerColumn.optional(),
  market: z.string().optional(),
  dimensionsJson: jsonColumn(z.array(dimensionSchema)),
  billingTermsJson: jsonColumn(z.array(billingTermSchema)),
  learnedAt: timestampColumn,
  learnedFromSubscriptionId: z.string(),
});

export function planKeys(offerId: string, planId: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: catalogKey(offerId), rowKey: catalogKey(planId) };
}

export function planToEntity(value: CatalogPlan): TableRow {
  const plan = validateRecord(planSchema, value, 'catalog plan');
  const { meteringDimensions, billingTerms, ...columns } = plan;
  return finishEntity(
    {
      ...planKeys(plan.offerId, plan.planId),
      schemaVersion: PLAN_SCHEMA_VERSION,
      ...columns,
      dimensionsJson: JSON.stringify(meteringDimensions),
      billingTermsJson: JSON.stringify(billingTerms),
    },
    `plan ${plan.offerId}/${plan.planId}`,
  );
}

export function planFromEntity(entity: Record<string, unknown>): CatalogPlan {
  const row = parseStoredEntity(planEntitySchema, entity, 'catalog plan');
  const { partitionKey: _p, rowKey: _r, schemaVersion: _v, dimensionsJson, billingTermsJson, ...columns } = row;
  return dropUndefined({
    ...columns,
    meteringDimensions: dimensionsJson.map((d) => dropUndefined(d)),
    billingTerms: billingTermsJson.map((t) => dropUndefined(t)),
  });
}
