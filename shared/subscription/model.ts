/**
 * The subscription as this app keeps it. Field names follow the Marketplace API (§2.9 of the
 * reference) so that mapping stays obvious; values Microsoft may extend (term units, sandbox types,
 * operations) stay plain strings so that an unknown value never breaks us.
 */
export const SUBSCRIPTION_STATUSES = ['PendingFulfillmentStart', 'Subscribed', 'Suspended', 'Unsubscribed'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export function isSubscriptionStatus(value: unknown): value is SubscriptionStatus {
  return typeof value === 'string' && (SUBSCRIPTION_STATUSES as readonly string[]).includes(value);
}

/** AadIdentifier: who bought (purchaser) or uses (beneficiary) the subscription. */
export interface Party {
  emailId?: string;
  objectId?: string;
  tenantId?: string;
  puid?: string | null;
}

export interface Term {
  /** P1M, P1Y, P2Y … (open-ended: Microsoft adds units). */
  termUnit?: string;
  startDate?: string;
  endDate?: string;
  chargeDuration?: string | null;
}

export interface SubscriptionRecord {
  /** The SaaS subscription id (GUID). */
  id: string;
  name: string;
  publisherId?: string;
  offerId: string;
  planId: string;
  /** Seats, for per-seat plans only. */
  quantity?: number;
  status: SubscriptionStatus;
  term: Term;
  autoRenew: boolean;
  isTest: boolean;
  isFreeTrial: boolean;
  /** `None` or `Csp` (open-ended). */
  sandboxType?: string;
  /** `None` or `DryRun` (open-ended). */
  sessionMode?: string;
  /** `Read`, `Update`, `Delete` (open-ended). */
  allowedCustomerOperations: string[];
  purchaser?: Party;
  beneficiary?: Party;
  /** ISO timestamps kept by this app. */
  createdAt: string;
  updatedAt: string;
  /** After Unsubscribe: data is kept at least until this instant (≥ 7 days). */
  retainUntil?: string;
  /** When personal data (names, e-mails, user ids) was erased; from then on it is never stored again. */
  personalDataErasedAt?: string;
  /** The last error seen while acting on this subscription (e.g. activation), for the admin. */
  lastError?: { code: string; message: string; at: string };
  /**
   * The operations whose processing last changed this record, oldest first (at most
   * MAX_APPLIED_OPERATIONS), written with the change itself: a late copy of one of them stops when it
   * reads the record, instead of converging on a later state under its own id.
   */
  appliedOperations?: string[];
}

export const MAX_APPLIED_OPERATIONS = 20;

/** `ids` with `operationId` appended (once), the oldest dropped beyond MAX_APPLIED_OPERATIONS. */
export function withAppliedOperation(ids: readonly string[] | undefined, operationId: string): string[] {
  return [...(ids ?? []).filter((id) => id !== operationId), operationId].slice(-MAX_APPLIED_OPERATIONS);
}

/** A stored value and the ETag that conditional writes must present. */
export interface Versioned<T> {
  value: T;
  etag: string;
}
