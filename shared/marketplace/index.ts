export { createMarketplaceClient, marketplaceClientsFor } from './createMarketplaceClient';
export { azureIdentityCredentials, createMarketplaceCredential, type CredentialConstructors, type MarketplaceAuthSettings } from './credential';
export {
  DEFAULT_MARKETPLACE_BASE_URL,
  MARKETPLACE_API_VERSION,
  MARKETPLACE_HOSTS,
  MARKETPLACE_RESOURCE_ID,
  MARKETPLACE_SCOPE,
} from './constants';
export { MarketplaceApiError, UntrustedHostError, type MarketplaceErrorKind } from './errors';
export type {
  AcceptedOperation,
  MarketplaceApi,
  MarketplaceClientOptions,
  OperationAcknowledgement,
  SubscriberPlan,
} from './marketplaceApi';
export { MAX_BATCH_USAGE_EVENTS } from './meteringMethods';
export type { MarketplaceCallOptions } from './transport';
export type { ListSubscriptionsOptions } from './listSubscriptions';
export type { UnparseableItem } from './schemas/lenient';
export { createHttpSender, sendHttp, type HttpAgents, type HttpRequestInit, type HttpResponse, type HttpSender } from './httpSender';
export type * from './schemas/subscription';
export type * from './schemas/plan';
export type * from './schemas/operation';
/** The schemas, for parsing the same objects elsewhere (e.g. the webhook payload's `subscription`). */
export { subscriptionSchema } from './schemas/subscription';
export { planSchema } from './schemas/plan';
export { operationSchema } from './schemas/operation';
export { usageEventResponseSchema } from './schemas/metering';
export type {
  BatchUsageEventResult,
  ReconStatus,
  ReportedUsage,
  UsageEvent,
  UsageEventError,
  UsageEventQuery,
  UsageEventResponse,
  UsageEventResult,
  UsageEventStatus,
} from './schemas/metering';
export type { Open } from './schemas/lenient';
