import { ConcurrencyConflictError } from '../errors';
import { redactText } from '../logging';
import type { OperationLedger, OperationRecord } from '../storage';
import type { Versioned } from '../subscription/model';
import type { OperationMessage } from './operationMessage';

type Ledger = Pick<OperationLedger, 'create' | 'get' | 'update'>;

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

/**
 * Applies `change` to the row with an ETag-conditional write, re-reading on conflict (the webhook
 * may mark the row Queued concurrently). `change` is applied to the freshest copy each time.
 */
export async function saveOperationRow(
  ledger: Ledger,
  row: Versioned<OperationRecord>,
  change: (current: OperationRecord) => OperationRecord,
): Promise<Versioned<OperationRecord>> {
  let current = row;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await ledger.update(change(current.value), current.etag);
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError) || attempt >= 5) throw error;
      const fresh = await ledger.get(row.value.id);
      if (fresh === undefined) throw error;
      current = fresh;
    }
  }
}

/** `lastError` as the ledger keeps it (short, no stack). */
export function ledgerError(error: Error, at: string): NonNullable<OperationRecord['lastError']> {
  const { code } = error as Error & { code?: unknown };
  return { code: typeof code === 'string' ? code : error.name, message: redactText(error.message).slice(0, MAX_ERROR_MESSAGE_LENGTH), at };
}

