import { z } from 'zod';
import { type Open, lenientNumber, optionalDate, optionalNumber, optionalString, optionalTrimmed, trimmed } from './lenient';

/** One hour of usage of one dimension (marketplace-api.md §7.1). */
export interface UsageEvent {
  /** The SaaS subscription id. Never together with `resourceUri`. */
  resourceId?: string;
  /** Managed applications only. */
  resourceUri?: string;
  /** Units consumed in the hour; must be > 0. */
  quantity: number;
  dimension: string;
  /** When the usage happened (UTC, at most 24 h ago). A Date is sent as ISO-8601. */
  effectiveStartTime: string | Date;
  planId: string;
}

export type UsageEventStatus = Open<
  | 'Accepted'
  | 'Expired'
  | 'Duplicate'
  | 'Error'
  | 'ResourceNotFound'
  | 'ResourceNotAuthorized'
  | 'ResourceNotActive'
  | 'InvalidDimension'
  | 'InvalidQuantity'
  | 'BadArgument'
>;

/** What the service says about one event: the 200 body, a 409's `acceptedMessage`, a batch item. */
export interface UsageEventResponse {
  usageEventId?: string;
  status: UsageEventStatus;
  messageTime?: string;
  resourceId?: string;
  resourceUri?: string;
  quantity?: number;
  dimension?: string;
  effectiveStartTime?: string;
  planId?: string;
  /** On batch items that were not accepted; a duplicate carries the original in `acceptedMessage`. */
  error?: UsageEventError;
}

export interface UsageEventError {
  code?: string;
  message?: string;
  target?: string;
  additionalInfo?: { acceptedMessage?: UsageEventResponse };
}

/**
 * Result of `postUsageEvent`. A duplicate (409: this resource, dimension and hour was already
 * reported) is a normal outcome, not an error: `acceptedMessage` is the event Microsoft kept.
 */
export type UsageEventResult =
  | { outcome: 'accepted'; event: UsageEventResponse }
  | { outcome: 'duplicate'; acceptedMessage: UsageEventResponse | undefined; code?: string; message?: string };

export interface BatchUsageEventResult {
  count: number;
  result: UsageEventResponse[];
}

export type ReconStatus = Open<'Submitted' | 'Accepted' | 'Rejected' | 'Mismatch' | 'TestHeaders' | 'DryRun'>;

export interface UsageEventQuery {
  /** Required. ISO-8601 date or date-time. */
  usageStartDate: string | Date;
  /** Sent as `UsageEndDate` (capital U); the service defaults to now. */
  usageEndDate?: string | Date;
  offerId?: string;
  planId?: string;
  dimension?: string;
  azureSubscriptionId?: string;
  reconStatus?: ReconStatus;
}

/** One row of `GET /usageEvents` (marketplace-api.md §7.4). */
export interface ReportedUsage {
  usageDate?: string;
  usageResourceId?: string;
  dimension?: string;
  planId?: string;
  planName?: string;
  offerId?: string;
  offerName?: string;
  offerType?: string;
  azureSubscriptionId?: string;
  reconStatus?: ReconStatus;
  submittedQuantity?: number;
  processedQuantity?: number;
  submittedCount?: number;
}

const responseFields = {
  usageEventId: optionalString,
  status: trimmed,
  messageTime: optionalDate,
  resourceId: optionalString,
  resourceUri: optionalString,
  quantity: optionalNumber,
  dimension: optionalString,
  effectiveStartTime: optionalDate,
  planId: optionalString,
};

const acceptedMessageSchema = z
  .looseObject(responseFields)
  .optional()
  .catch(undefined)
  .transform((value): UsageEventResponse | undefined => value);

/** The 409 body and a batch item's `error`. Lenient: a part that does not parse is dropped. */
export const usageEventErrorSchema: z.ZodType<UsageEventError> = z.looseObject({
  code: optionalString,
  message: optionalString,
  target: optionalString,
  additionalInfo: z
    .looseObject({ acceptedMessage: acceptedMessageSchema })
    .nullish()
    .catch(undefined)
    .transform((value) => value ?? undefined),
});

export const usageEventResponseSchema: z.ZodType<UsageEventResponse> = z.looseObject({
  ...responseFields,
  error: usageEventErrorSchema
    .nullish()
    .catch(undefined)
    .transform((value) => value ?? undefined),
});

export const batchResultSchema: z.ZodType<BatchUsageEventResult> = z
  .looseObject({ count: lenientNumber.nullish(), result: z.array(usageEventResponseSchema).nullish() })
  .transform((body) => ({ ...body, count: body.count ?? body.result?.length ?? 0, result: body.result ?? [] }));

export const reportedUsageListSchema: z.ZodType<ReportedUsage[]> = z.array(
  z.looseObject({
    usageDate: optionalDate,
    usageResourceId: optionalString,
    dimension: optionalString,
    planId: optionalString,
    planName: optionalString,
    offerId: optionalString,
    offerName: optionalString,
    offerType: optionalString,
    azureSubscriptionId: optionalString,
    reconStatus: optionalTrimmed,
    submittedQuantity: optionalNumber,
    processedQuantity: optionalNumber,
    submittedCount: optionalNumber,
  }),
);
