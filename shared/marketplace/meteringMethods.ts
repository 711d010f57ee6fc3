import { type ClientContext, isoString, requireText } from './clientContext';
import { type MarketplaceApi } from './marketplaceApi';
import { type MarketplaceResponse, parseBody } from './responses';
import {
  type UsageEvent,
  type UsageEventResult,
  batchResultSchema,
  reportedUsageListSchema,
  usageEventErrorSchema,
  usageEventResponseSchema,
} from './schemas/metering';

type MeteringMethods = Pick<MarketplaceApi, 'postUsageEvent' | 'postBatchUsageEvents' | 'listUsageEvents'>;

export const MAX_BATCH_USAGE_EVENTS = 25;

/** The wire form of an event: only the documented fields, dates as ISO-8601. */
function toWire(event: UsageEvent): Record<string, unknown> {
  return {
    resourceId: event.resourceId,
    resourceUri: event.resourceUri,
    quantity: event.quantity,
    dimension: requireText('dimension', event.dimension),
    effectiveStartTime: isoString(event.effectiveStartTime),
    planId: requireText('planId', event.planId),
  };
}

/** 409 = this resource, dimension and hour were already reported; the body carries the original. */
function duplicate(response: MarketplaceResponse): UsageEventResult {
  let json: unknown = {};
  try {
    json = JSON.parse(response.text);
  } catch {
    // A duplicate is a duplicate even when its body is unreadable.
  }
  const body = usageEventErrorSchema.safeParse(json);
  const error = body.success ? body.data : {};
  return { outcome: 'duplicate', acceptedMessage: error.additionalInfo?.acceptedMessage, code: error.code, message: error.message };
}

export function createMeteringMethods(ctx: ClientContext): MeteringMethods {
  const { send, urls } = ctx;
  return {
    async postUsageEvent(event, options) {
      const body = toWire(event);
      const url = urls.build('/usageEvent');
      const response = await send({ operation: 'postUsageEvent', method: 'POST', url, body, retry: 'safe', acceptStatuses: [409] }, options);
      if (response.status === 409) return duplicate(response);
      return { outcome: 'accepted', event: parseBody(response, usageEventResponseSchema, 'postUsageEvent') };
    },

    async postBatchUsageEvents(events, options) {
      if (events.length < 1 || events.length > MAX_BATCH_USAGE_EVENTS) {
        throw new RangeError(`A usage batch holds 1 to ${MAX_BATCH_USAGE_EVENTS} events, got ${events.length}`);
      }
      const body = { request: events.map(toWire) };
      const url = urls.build('/batchUsageEvent');
      const response = await send({ operation: 'postBatchUsageEvents', method: 'POST', url, body, retry: 'safe' }, options);
      return parseBody(response, batchResultSchema, 'postBatchUsageEvents');
    },

    async listUsageEvents(query, options) {
      const url = urls.build('/usageEvents', {
        usageStartDate: isoString(query.usageStartDate),
        UsageEndDate: query.usageEndDate === undefined ? undefined : isoString(query.usageEndDate),
        offerId: query.offerId,
        planId: query.planId,
        dimension: query.dimension,
        azureSubscriptionId: query.azureSubscriptionId,
        reconStatus: query.reconStatus,
      });
      const response = await send({ operation: 'listUsageEvents', method: 'GET', url, retry: 'safe' }, options);
      return parseBody(response, reportedUsageListSchema, 'listUsageEvents', () => []);
    },
  };
}
