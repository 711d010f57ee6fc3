import type { Logger } from '../logging';
import type { MarketplaceApi, MarketplaceOperation } from '../marketplace';
import { handOverOperation } from '../operations/handOverOperation';
import type { OperationMessage } from '../operations/operationMessage';
import { historyKey, type HistoryStore, type MessageQueue, type OperationLedger, type OperationRecord } from '../storage';
import { ID_PATTERN } from '../publisherOperations/trackingMessage';

export interface RecoverOperationsDeps {
  marketplace: Pick<MarketplaceApi, 'listOutstandingOperations'>;
  operations: Pick<OperationLedger, 'create' | 'get'>;
  history: Pick<HistoryStore, 'append'>;
  /** The webhook's processing queue (`operations`): recovered operations take the webhook's path from there. */
  queue: MessageQueue<OperationMessage>;
  logger: Logger;
}

/**
 * Looks for InProgress operations of one subscription that this app never received (a webhook that
 * was never delivered) and hands them to the webhook's processing path exactly as the webhook
 * intake does (handOverOperation: ledger row `Received`, keyed by the operation id, then a message
 * on the `operations` queue). An operation the ledger already has past `Received` is the webhook
 * path's business and is left alone. Returns how many were handed over.
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
  const handed = await handOverOperation(deps, ledgerRow(subscriptionId, operation, action, at));
  if (handed.outcome === 'requeued') {
    // The webhook recorded it and no worker has claimed it yet (or the intake died before queueing):
    // queued again, harmlessly, but it was received, so it is not counted as recovered.
    deps.logger.info('unclaimed operation queued again', { subscriptionId, operationId: operation.id, action });
  }
  if (handed.outcome !== 'queued') return false;
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
