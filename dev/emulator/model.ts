/** The emulator's in-memory state. Field names follow the Marketplace API (marketplace-api.md §2.9, §3). */

export const MARKETPLACE_RESOURCE_ID = '20e940b3-4c77-4b0b-9a53-9e16a1b010a7';
export const MARKETPLACE_SCOPE = `${MARKETPLACE_RESOURCE_ID}/.default`;
export const API_VERSION = '2018-08-31';
/** `lastModified` as list results show it in every recorded response. */
export const LAST_MODIFIED_SENTINEL = '0001-01-01T00:00:00';

export type SubscriptionStatus = 'PendingFulfillmentStart' | 'Subscribed' | 'Suspended' | 'Unsubscribed';
export type CustomerOperation = 'Read' | 'Update' | 'Delete';
export type OperationAction = 'ChangePlan' | 'ChangeQuantity' | 'Suspend' | 'Reinstate' | 'Renew' | 'Unsubscribe' | 'Subscribe';
export type OperationStatus = 'NotStarted' | 'InProgress' | 'Succeeded' | 'Failed' | 'Conflict';
export type OperationSource = 'Azure' | 'Partner';
export type TokenVersion = 'v1' | 'v2';

export interface AadIdentifier {
  emailId: string;
  objectId: string;
  tenantId: string;
  puid: string | null;
}

export interface SubscriptionRecord {
  id: string;
  name: string;
  offerId: string;
  planId: string;
  /** Seats; per-seat plans only. */
  quantity?: number;
  status: SubscriptionStatus;
  beneficiary: AadIdentifier;
  purchaser: AadIdentifier;
  termUnit: string;
  /** ISO dates, set on activation and moved by renewals. */
  startDate?: string;
  endDate?: string;
  autoRenew: boolean;
  isTest: boolean;
  isFreeTrial: boolean;
  allowedCustomerOperations: CustomerOperation[];
  sandboxType: 'None' | 'Csp';
  sessionMode: 'None' | 'DryRun';
  created: string;
  lastModified: string;
  /** The customer's Azure subscription (metering read-back). */
  azureSubscriptionId: string;
  suspendedAt?: string;
  unsubscribedAt?: string;
}

export interface OperationRecord {
  id: string;
  subscriptionId: string;
  action: OperationAction;
  source: OperationSource;
  status: OperationStatus;
  /** Target plan for ChangePlan, else the plan at creation. */
  planId: string;
  /** Target seats for ChangeQuantity, else the seats at creation (per-seat only). */
  quantity?: number;
  created: string;
  lastModified: string;
  /** Emulator time (ms) at which an unacknowledged operation is accepted automatically. */
  ackDeadline?: number;
  errorStatusCode?: string;
  errorMessage?: string;
}

export interface PurchaseTokenRecord {
  subscriptionId: string;
  issuedAt: string;
  /** Emulator time (ms). */
  expiresAt: number;
}

export interface UsageRecord {
  usageEventId: string;
  status: 'Accepted';
  messageTime: string;
  resourceId: string;
  quantity: number;
  dimension: string;
  effectiveStartTime: string;
  planId: string;
}

export interface DeliveryAttempt {
  at: string;
  /** HTTP status, or undefined when the request failed. */
  status?: number;
  error?: string;
  /** True when a `fail` fault rule discarded the answer. */
  injectedFailure?: boolean;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'retrying' | 'failed' | 'rejected' | 'dropped' | 'held' | 'skipped';

export interface DeliveryRecord {
  id: string;
  operationId: string;
  subscriptionId: string;
  action: OperationAction;
  url?: string;
  status: DeliveryStatus;
  payload: Record<string, unknown>;
  attempts: DeliveryAttempt[];
  /** Fault effects applied to this delivery (`drop`, `duplicate`, `hold`, `fail`). */
  faults: string[];
  duplicateOf?: string;
}

export interface EmulatorConfig {
  webhookUrl?: string;
  landingPageUrl?: string;
  ackWindowMs: number;
  tokenVersion: TokenVersion;
  pageSize: number;
  /** Delay (emulator time) before a publisher PATCH/DELETE operation starts. */
  operationDelayMs: number;
  /** Send the notify-only `Subscribe` webhook on activation (newest docs only). */
  subscribeWebhook: boolean;
}

export interface FaultLogEntry {
  ruleId: string;
  at: string;
  target: 'http' | 'webhook';
  effect: string;
  method?: string;
  path?: string;
  latencyMs?: number;
  status?: number;
}

export interface EmulatorState {
  config: EmulatorConfig;
  subscriptions: Map<string, SubscriptionRecord>;
  operations: Map<string, OperationRecord>;
  purchaseTokens: Map<string, PurchaseTokenRecord>;
  usage: UsageRecord[];
  deliveries: DeliveryRecord[];
  faultLog: FaultLogEntry[];
  /** Requests to paths no route knows (logged loudly: a client needs something not emulated). */
  unknownRequests: { method: string; path: string; at: string }[];
}

export function createState(config: EmulatorConfig): EmulatorState {
  return {
    config: { ...config },
    subscriptions: new Map(),
    operations: new Map(),
    purchaseTokens: new Map(),
    usage: [],
    deliveries: [],
    faultLog: [],
    unknownRequests: [],
  };
}
