import { z } from 'zod';
import type { OperationRecord } from '../storage';

/** `source` of the ledger rows that record publisher-initiated changes. */
export const PUBLISHER_SOURCE = 'Publisher';

/**
 * What a publisher request row keeps beyond the ledger's columns, as JSON in its `payload`:
 * Microsoft's operation id and `Operation-Location`, and once final, what happened locally.
 */
export interface PublisherRequestDetails {
  operationId?: string;
  operationLocation?: string;
  /** `applied`: the poll changed the record; `alreadyApplied`: the webhook had; otherwise why not. */
  localOutcome?: string;
}

const detailsSchema = z.object({
  operationId: z.string().optional(),
  operationLocation: z.string().optional(),
  localOutcome: z.string().optional(),
});

export function writeDetails(details: PublisherRequestDetails): string {
  return JSON.stringify(details);
}

export function readDetails(row: Pick<OperationRecord, 'source' | 'payload'>): PublisherRequestDetails {
  if (row.source !== PUBLISHER_SOURCE || row.payload === undefined) return {};
  try {
    const parsed = detailsSchema.safeParse(JSON.parse(row.payload));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** States after which nothing happens to the row any more. */
export const FINAL_STATES: ReadonlySet<OperationRecord['state']> = new Set(['Completed', 'Failed', 'Rejected']);

/** What `GET /api/operations/{id}` shows: the ledger row, without raw webhook payloads. */
export interface OperationStatusView {
  id: string;
  subscriptionId: string;
  action: string;
  source?: string;
  state: OperationRecord['state'];
  /** Final: nothing will change any more. */
  done: boolean;
  marketplaceStatus?: string;
  marketplaceOperationId?: string;
  planId?: string;
  quantity?: number;
  requestedAt: string;
  updatedAt: string;
  polls: number;
  localOutcome?: string;
  error?: { code: string; message: string; at: string };
}

export function operationStatusView(row: OperationRecord): OperationStatusView {
  const details = readDetails(row);
  const view: OperationStatusView = {
    id: row.id,
    subscriptionId: row.subscriptionId,
    action: row.action,
    state: row.state,
    done: FINAL_STATES.has(row.state),
    requestedAt: row.receivedAt,
    updatedAt: row.updatedAt,
    polls: row.attempts,
  };
  const optional: Partial<OperationStatusView> = {
    source: row.source,
    marketplaceStatus: row.marketplaceStatus,
    // Webhook rows are keyed by Microsoft's operation id itself.
    marketplaceOperationId: row.source === PUBLISHER_SOURCE ? details.operationId : row.id,
    planId: row.planId,
    quantity: row.quantity,
    localOutcome: details.localOutcome,
    error: row.lastError,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (view as unknown as Record<string, unknown>)[key] = value;
  return view;
}

/** Microsoft's final statuses and the request state each one means. */
const FINAL_MARKETPLACE_STATUS: Readonly<Record<string, 'Completed' | 'Failed'>> = { Succeeded: 'Completed', Failed: 'Failed', Conflict: 'Failed' };

/**
 * A pending publisher request's view, final when the webhook path has finished Microsoft's operation
 * (`processed`: the ledger row keyed by Microsoft's operation id, state Completed with a final
 * `marketplaceStatus`): the status then reads as the webhook learnt it, before the tracker's poll.
 */
export function withWebhookOutcome(view: OperationStatusView, processed: OperationRecord): OperationStatusView {
  const status = processed.marketplaceStatus;
  const state = status === undefined ? undefined : FINAL_MARKETPLACE_STATUS[status];
  if (processed.state !== 'Completed' || state === undefined) return view;
  const learnt: OperationStatusView = { ...view, state, done: true, marketplaceStatus: status, updatedAt: processed.updatedAt };
  if (state === 'Completed') learnt.localOutcome = 'appliedByWebhook';
  else learnt.error = { code: `Operation${status as string}`, message: `${status as string}: reported by Microsoft to the webhook`, at: processed.updatedAt };
  return learnt;
}
