import { ConcurrencyConflictError } from '../errors';
import { redactText } from '../logging';
import type { OperationLedger, OperationRecord, OperationSettlement } from '../storage';
import type { Versioned } from '../subscription/model';
import type { OperationMessage } from './operationMessage';

type Ledger = Pick<OperationLedger, 'create' | 'get'>;

const MAX_ERROR_MESSAGE_LENGTH = 500;

/** The ledger row of the message's operation; created (Queued) when missing, e.g. for a replayed message. */
export async function loadOperationRow(ledger: Ledger, message: OperationMessage, now: Date): Promise<Versioned<OperationRecord>> {
  const existing = await ledger.get(message.operationId);
  if (existing !== undefined) return existing;
  const at = now.toISOString();
  try {
    return await ledger.create({
      id: message.operationId,
      subscriptionId: message.subscriptionId,
      action: message.action,
      state: 'Queued',
      receivedAt: at,
      updatedAt: at,
      attempts: 0,
    });
  } catch {
    const created = await ledger.get(message.operationId);
    if (created === undefined) throw new Error(`Operation ${message.operationId} could not be recorded`);
    return created;
  }
}

/** Settled states: a settlement never moves a row out of them again. */
const FINISHED: ReadonlySet<string> = new Set(['Completed', 'Rejected']);

/**
 * Settles the row with one ETag-conditional merge of `changes` (no read needed when the ETag is
 * known, e.g. from the queue message). On a conflict (a repeat delivery or a concurrent copy touched
 * the row) it re-reads the row and merges again onto the fresh copy, except that a row another copy
 * already finished (Completed, Rejected) is not moved back to Queued or Failed. Returns the row's
 * new ETag (or the fresh one when it was left as it was).
 */
export async function settleOperationRow(
  ledger: Pick<OperationLedger, 'get' | 'settle'>,
  operationId: string,
  etag: string,
  changes: OperationSettlement,
): Promise<string> {
  let current = etag;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await ledger.settle(operationId, changes, current);
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError) || attempt >= 5) throw error;
      const fresh = await ledger.get(operationId);
      if (fresh === undefined) throw error;
      if (FINISHED.has(fresh.value.state) && changes.state !== undefined && !FINISHED.has(changes.state)) return fresh.etag;
      current = fresh.etag;
    }
  }
}

/** `lastError` as the ledger keeps it (short, no stack). */
export function ledgerError(error: Error, at: string): NonNullable<OperationRecord['lastError']> {
  const { code } = error as Error & { code?: unknown };
  return { code: typeof code === 'string' ? code : error.name, message: redactText(error.message).slice(0, MAX_ERROR_MESSAGE_LENGTH), at };
}

