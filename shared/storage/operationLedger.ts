import type { Versioned } from '../subscription/model';
import type { Page } from './continuationToken';

export const OPERATION_STATES = ['Received', 'Queued', 'Processing', 'Completed', 'Rejected', 'Failed'] as const;
export type OperationState = (typeof OPERATION_STATES)[number];

/** Raw webhook JSON is kept for diagnosis, up to this many characters (one string property's limit). */
export const MAX_OPERATION_PAYLOAD_LENGTH = 32_768;

/** One marketplace operation (webhook delivery or publisher-initiated change) as this app tracks it. */
export interface OperationRecord {
  /** The marketplace operation id (webhook `id`). */
  id: string;
  subscriptionId: string;
  /** ChangePlan, ChangeQuantity, Suspend, Reinstate, Renew, Unsubscribe, Subscribe, Transfer, … (open-ended). */
  action: string;
  /** `Azure`, `Partner`, `Publisher`, … (open-ended). */
  source?: string;
  state: OperationState;
  /** The operation status the marketplace last reported (InProgress, Succeeded, …). */
  marketplaceStatus?: string;
  planId?: string;
  quantity?: number;
  receivedAt: string;
  updatedAt: string;
  attempts: number;
  lastError?: { code: string; message: string; at: string };
  /** Raw JSON as received, at most MAX_OPERATION_PAYLOAD_LENGTH characters. */
  payload?: string;
}

/** The columns a worker settles at the end of an attempt (the others stay as the intake wrote them). */
export type OperationSettlement = Partial<Pick<OperationRecord, 'state' | 'marketplaceStatus' | 'updatedAt' | 'attempts' | 'lastError'>>;

/**
 * The operation ledger: one row per operation id, created once. A duplicate webhook delivery finds
 * its row with `get(id)` (a point read) or gets AlreadyExistsError from `create`.
 */
export interface OperationLedger {
  /** Conditional insert; AlreadyExistsError when the operation id is already recorded. */
  create(operation: OperationRecord): Promise<Versioned<OperationRecord>>;
  get(operationId: string): Promise<Versioned<OperationRecord> | undefined>;
  /** Replaces the row if `etag` is current: ConcurrencyConflictError if stale, NotFoundError if missing. */
  update(operation: OperationRecord, etag: string): Promise<Versioned<OperationRecord>>;
  /**
   * Merges `changes` into the row if `etag` is current (one write that needs no read first: absent
   * fields keep their stored value); returns the new ETag. ConcurrencyConflictError if stale,
   * NotFoundError if missing.
   */
  settle(operationId: string, changes: OperationSettlement, etag: string): Promise<string>;
}

export interface ListOperationsOptions {
  subscriptionId?: string;
  /** Only operations received at or after this instant. */
  since?: Date;
  /** Only `Failed` and `Rejected` ones. */
  failedOnly?: boolean;
  /** 1–1000, default 100. */
  pageSize?: number;
  continuationToken?: string;
}

/** Reading the ledger for the operator console's delivery log: filtered pages, ordered by operation id. */
export interface OperationLog {
  list(options?: ListOperationsOptions): Promise<Page<OperationRecord>>;
}

export const DEFAULT_OPERATION_PAGE_SIZE = 100;
