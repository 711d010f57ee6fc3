import { z } from 'zod';
import { type Open, optionalDate, optionalNumber, optionalString, optionalTrimmed, trimmed, wrappedOrBareArray, absentIfEmpty } from './lenient';

export type OperationAction = Open<
  'Unsubscribe' | 'ChangePlan' | 'ChangeQuantity' | 'Suspend' | 'Reinstate' | 'Renew' | 'Subscribe' | 'Transfer'
>;
export type OperationStatus = Open<'NotStarted' | 'InProgress' | 'Succeeded' | 'Failed' | 'Conflict'>;
export type OperationRequestSource = Open<'Azure' | 'Partner'>;

/** An operation on a subscription (marketplace-api.md §3). Unknown fields are kept. */
export interface MarketplaceOperation {
  id: string;
  activityId?: string;
  subscriptionId?: string;
  offerId?: string;
  publisherId?: string;
  /** For ChangePlan: the target plan. */
  planId?: string;
  /** For ChangeQuantity: the target quantity (may arrive as a string). */
  quantity?: number;
  action?: OperationAction;
  timeStamp?: string;
  status: OperationStatus;
  operationRequestSource?: OperationRequestSource;
  errorStatusCode?: string;
  errorMessage?: string;
}

/**
 * Microsoft's SaaS API emulator names the source `operationRequestedSource`; the documented name is
 * `operationRequestSource`. The documented one wins when both are present.
 */
const withDocumentedSource = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  return record.operationRequestSource == null && record.operationRequestedSource != null
    ? { ...record, operationRequestSource: record.operationRequestedSource }
    : record;
};

const operationObjectSchema = z.looseObject({
  id: trimmed,
  activityId: optionalString,
  subscriptionId: optionalString,
  offerId: optionalString,
  publisherId: optionalString,
  planId: optionalString,
  quantity: optionalNumber,
  action: optionalTrimmed,
  timeStamp: optionalDate,
  status: trimmed,
  operationRequestSource: optionalTrimmed,
  errorStatusCode: absentIfEmpty(z.union([z.string(), z.number()]).transform((value) => String(value))),
  errorMessage: optionalString,
});

export const operationSchema: z.ZodType<MarketplaceOperation> = z.preprocess(withDocumentedSource, operationObjectSchema);

/** `{ "operations": [...] }` as documented, or a bare array (Microsoft's SaaS API emulator). */
export const operationListSchema: z.ZodType<MarketplaceOperation[]> = wrappedOrBareArray('operations', operationSchema);
