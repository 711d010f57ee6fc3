import { type TokenCredential } from '@azure/core-auth';
import { type Clock } from '../clock';
import { type Logger } from '../logging';
import { type HttpSender } from './httpSender';
import { type MarketplaceOperation } from './schemas/operation';
import { type Plan } from './schemas/plan';
import { type MarketplaceSubscription, type ResolvedSubscription } from './schemas/subscription';
import {
  type BatchUsageEventResult,
  type ReportedUsage,
  type UsageEvent,
  type UsageEventQuery,
  type UsageEventResult,
} from './schemas/metering';
import { type ListSubscriptionsOptions } from './listSubscriptions';
import { type MarketplaceCallOptions } from './transport';

/** What a 202 from change plan, change quantity or delete tells us. */
export interface AcceptedOperation {
  operationId: string;
  /** Absolute URL to poll with `getOperationByLocation` (built from the id when the header is missing). */
  operationLocation: string;
  /** The service's polling hint (`Retry-After`), in seconds. */
  retryAfterSeconds?: number;
}

export interface SubscriberPlan {
  planId: string;
  /** Per-seat plans only. */
  quantity?: number;
}

export type OperationAcknowledgement = 'Success' | 'Failure';

/**
 * The Azure Marketplace SaaS fulfillment v2, operations and metering APIs, as use cases see them.
 * Every method throws `MarketplaceApiError` on failure (see errors.ts), `UntrustedHostError`
 * before sending anything to a host outside the allow-list, and rethrows a caller's abort reason.
 */
export interface MarketplaceApi {
  /** `purchaseToken` exactly as the header needs it: already URL-decoded once, not decoded again. */
  resolve(purchaseToken: string, options?: MarketplaceCallOptions): Promise<ResolvedSubscription>;
  /**
   * All subscriptions, every status, across every page (`@nextLink` or `continuationToken`). An
   * item that does not parse is skipped and reported to `options.onUnparseable`.
   */
  listSubscriptions(options?: ListSubscriptionsOptions): AsyncIterable<MarketplaceSubscription>;
  getSubscription(subscriptionId: string, options?: MarketplaceCallOptions): Promise<MarketplaceSubscription>;
  /** An unknown subscription may answer with an empty body: that gives `[]`. */
  listAvailablePlans(subscriptionId: string, filter?: { planId?: string }, options?: MarketplaceCallOptions): Promise<Plan[]>;
  /** 400 when already Subscribed/Suspended: GET the subscription first or treat that 400 as done. */
  activate(subscriptionId: string, plan: SubscriberPlan, options?: MarketplaceCallOptions): Promise<void>;
  changePlan(subscriptionId: string, planId: string, options?: MarketplaceCallOptions): Promise<AcceptedOperation>;
  changeQuantity(subscriptionId: string, quantity: number, options?: MarketplaceCallOptions): Promise<AcceptedOperation>;
  deleteSubscription(subscriptionId: string, options?: MarketplaceCallOptions): Promise<AcceptedOperation>;
  listOutstandingOperations(subscriptionId: string, options?: MarketplaceCallOptions): Promise<MarketplaceOperation[]>;
  getOperation(subscriptionId: string, operationId: string, options?: MarketplaceCallOptions): Promise<MarketplaceOperation>;
  /** Follows an `Operation-Location` URL; only allow-listed hosts receive the token. */
  getOperationByLocation(operationLocation: string, options?: MarketplaceCallOptions): Promise<MarketplaceOperation>;
  /** Sends exactly `{ status }`. A 409 (already finished) surfaces as MarketplaceApiError status 409. */
  updateOperation(
    subscriptionId: string,
    operationId: string,
    status: OperationAcknowledgement,
    options?: MarketplaceCallOptions,
  ): Promise<void>;
  /** A 409 duplicate is returned as `{ outcome: 'duplicate' }`, not thrown. */
  postUsageEvent(event: UsageEvent, options?: MarketplaceCallOptions): Promise<UsageEventResult>;
  /** 1–25 events, else RangeError before anything is sent. Inspect every item's `status`. */
  postBatchUsageEvents(events: readonly UsageEvent[], options?: MarketplaceCallOptions): Promise<BatchUsageEventResult>;
  listUsageEvents(query: UsageEventQuery, options?: MarketplaceCallOptions): Promise<ReportedUsage[]>;
}

export interface MarketplaceClientOptions {
  /** e.g. `https://marketplaceapi.microsoft.com/api`, or `http://127.0.0.1:<port>/api` for an emulator. */
  baseUrl: string;
  credential: TokenCredential;
  /** More hosts (`host` or `host:port`) allowed to receive the token when following links. */
  extraAllowedHosts?: string[];
  /** Per HTTP attempt, including reading the body. Default 10 000. */
  requestTimeoutMs?: number;
  /** HTTP attempts per call (per page for lists). Default 4. */
  maxAttempts?: number;
  /** No retry wait may end later than this after the call started. Default 30 000. */
  retryBudgetMs?: number;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for backoff jitter. */
  random?: () => number;
  /** Request and correlation ids. Default `crypto.randomUUID`. */
  newId?: () => string;
  /** Measures the retry budget and reads HTTP-date `Retry-After` values. Default the system clock. */
  clock?: Clock;
  /**
   * Sends each HTTP attempt. Default `sendHttp` (node:http / node:https, process-wide keep-alive
   * agents); wrap it to observe or count requests.
   */
  http?: HttpSender;
}
