import { z } from 'zod';
import { type Open, optionalDate, optionalNumber, optionalString, optionalTrimmed, trimmed } from './lenient';

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

export const operationSchema: z.ZodType<MarketplaceOperation> = z.looseObject({
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
  errorStatusCode: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((value) => (value == null ? undefined : String(value))),
  errorMessage: optionalString,
});

export const operationListSchema: z.ZodType<MarketplaceOperation[]> = z
  .looseObject({ operations: z.array(operationSchema).nullish() })
  .transform((body) => body.operations ?? []);
