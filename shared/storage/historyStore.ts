import type { Page } from './continuationToken';

/** One line of a subscription's audit history. */
export interface HistoryEntry {
  subscriptionId: string;
  /** ISO timestamp of the change; entries list newest first by this. */
  at: string;
  /** StatusChanged, PlanChanged, QuantityChanged, TermRenewed, OperationRejected, Drift, … (open-ended). */
  kind: string;
  operationId?: string;
  /** Previous and new values; stored as JSON (so they come back as JSON values). */
  from?: unknown;
  to?: unknown;
  detail?: string;
  /**
   * Makes `append` idempotent: a second append with the same key (for the same subscription) is a
   * no-op. Use a key that a retried handler computes again, e.g. `historyKey(operationId, kind)`.
   */
  idempotencyKey?: string;
}

export interface ListHistoryOptions {
  /** 1–1000, default 50. */
  limit?: number;
  continuationToken?: string;
}

export interface AppendHistoryResult {
  /** False when an entry with the same idempotency key was already there (nothing was written). */
  appended: boolean;
}

export interface HistoryStore {
  append(entry: HistoryEntry): Promise<AppendHistoryResult>;
  /** Newest first, a page at a time. */
  list(subscriptionId: string, options?: ListHistoryOptions): Promise<Page<HistoryEntry>>;
}

export const DEFAULT_HISTORY_LIMIT = 50;

/** The idempotency key for "this operation caused this kind of change". */
export function historyKey(operationId: string, kind: string): string {
  return `${operationId}:${kind}`;
}
