import { AlreadyExistsError, ConcurrencyConflictError } from '../errors';
import type { Logger } from '../logging';
import type { MarketplaceApi, MarketplaceOperation } from '../marketplace';
import { operationMessage, type OperationMessage } from '../operations/operationMessage';
import { historyKey, type HistoryStore, type MessageQueue, type OperationLedger, type OperationRecord } from '../storage';
import type { Versioned } from '../subscription/model';
import { ID_PATTERN } from '../publisherOperations/trackingMessage';

export interface RecoverOperationsDeps {
  marketplace: Pick<MarketplaceApi, 'listOutstandingOperations'>;
  operations: Pick<OperationLedger, 'create' | 'get' | 'update'>;
  history: Pick<HistoryStore, 'append'>;
  /** The webhook's processing queue (`operations`): recovered operations take the webhook's path from there. */
  queue: MessageQueue<OperationMessage>;
  logger: Logger;
}

/**
 * Looks for InProgress operations of one subscription that this app never received (a webhook that
 * was never delivered) and hands them to the webhook's processing path, exactly as the webhook
 * intake would: ledger row `Received` (conditional insert, keyed by the operation id), message on
 * the `operations` queue, row `Queued`. An operation the ledger already has past `Received` is the
 * webhook path's business and is left alone. Returns how many were handed over.
 */
export async function recoverOperations(deps: RecoverOperationsDeps, subscriptionId: string, at: string): Promise<number> {
  const outstanding = await deps.marketplace.listOutstandingOperations(subscriptionId);
  let recovered = 0;
  for (const operation of outstanding) {
    if (operation.status !== 'InProgress') continue;
    if (!ID_PATTERN.test(operation.id)) {
      deps.logger.warn('outstanding operation with an unusable id skipped', { subscriptionId });
      continue;
    }
    if (await handOver(deps, subscriptionId, operation, at)) recovered += 1;
  }
  return recovered;
}

async function handOver(deps: RecoverOperationsDeps, subscriptionId: string, operation: MarketplaceOperation, at: string): Promise<boolean> {
  const action = operation.action ?? 'Unknown';
  let row: Versioned<OperationRecord> | undefined;
  try {
    row = await deps.operations.create(ledgerRow(subscriptionId, operation, action, at));
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    row = await deps.operations.get(operation.id);
    if (row === undefined || row.value.state !== 'Received') return false;
  }
  await deps.queue.send(operationMessage(operation.id, subscriptionId, action));
  try {
    await deps.operations.update({ ...row.value, state: 'Queued', updatedAt: at }, row.etag);
  } catch (error) {
    // The consumer moved the row on already: what we want.
    if (!(error instanceof ConcurrencyConflictError)) throw error;
  }
  await deps.history.append({
    subscriptionId,
    at,
    kind: 'OperationRecovered',
    operationId: operation.id,
    detail: `${action} still InProgress at the marketplace and never received by the webhook: handed to operation processing by reconciliation`,
    idempotencyKey: historyKey(operation.id, 'OperationRecovered'),
  });
  deps.logger.warn('undelivered operation recovered', { subscriptionId, operationId: operation.id, action });
  return true;
}

function ledgerRow(subscriptionId: string, operation: MarketplaceOperation, action: string, at: string): OperationRecord {
  const row: OperationRecord = { id: operation.id, subscriptionId, action, state: 'Received', marketplaceStatus: operation.status, receivedAt: at, updatedAt: at, attempts: 0 };
  if (operation.operationRequestSource !== undefined) row.source = operation.operationRequestSource;
  if (operation.planId !== undefined) row.planId = operation.planId;
  if (operation.quantity !== undefined && Number.isSafeInteger(operation.quantity) && operation.quantity >= 0) row.quantity = operation.quantity;
  return row;
}
