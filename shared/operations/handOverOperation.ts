import { AlreadyExistsError } from '../errors';
import type { MessageQueue, OperationLedger, OperationRecord } from '../storage';
import { operationMessage, type OperationMessage } from './operationMessage';

export interface HandOverDeps {
  operations: Pick<OperationLedger, 'create' | 'get'>;
  queue: MessageQueue<OperationMessage>;
}

/**
 * `queued`: first hand-over, recorded and queued. `requeued`: a repeat while the row is still
 * `Received` (no worker has claimed it), queued again. `duplicate`: processing has the operation
 * already; nothing done.
 */
export type HandOver = { outcome: 'queued' } | { outcome: 'requeued' | 'duplicate'; recorded: OperationRecord };

/**
 * Hands a marketplace operation to processing, once per operation id, in two storage round trips
 * (an outbox):
 *
 * 1. conditional insert of the ledger row `row` (state `Received`): at most one row per id;
 * 2. `{ operationId, subscriptionId, action, receivedAt, etag }` on the `operations` queue (the row's
 *    version, so that the worker need not read the row before it starts; see operationMessage).
 *
 * The row stays `Received` until a worker claims it (see processOperation), so a repeat that finds
 * it `Received` cannot tell "queued, not yet picked up" from "died between 1 and 2" and sends the
 * message again. That is safe and cheap: processing is idempotent per operation id (a second message
 * finds the row finished or the subscription leased), and repeats are rare. A repeat that finds any
 * later state does nothing. When this resolves, the operation is durably recorded and queued.
 */
export async function handOverOperation(deps: HandOverDeps, row: OperationRecord): Promise<HandOver> {
  let etag: string;
  try {
    etag = (await deps.operations.create(row)).etag;
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    return repeat(deps, row.id);
  }
  await deps.queue.send(operationMessage(row.id, row.subscriptionId, row.action, { row: { receivedAt: row.receivedAt, etag } }));
  return { outcome: 'queued' };
}

async function repeat(deps: HandOverDeps, operationId: string): Promise<HandOver> {
  const existing = await deps.operations.get(operationId);
  // Rows are never deleted, so this is a storage anomaly: fail and let the caller's retry come back.
  if (existing === undefined) throw new Error(`Operation ${operationId} reported as existing but not found`);
  const recorded = existing.value;
  if (recorded.state !== 'Received') return { outcome: 'duplicate', recorded };
  // Without the row's version: the worker reads the row first, so a copy of a finished operation stops at once.
  await deps.queue.send(operationMessage(recorded.id, recorded.subscriptionId, recorded.action));
  return { outcome: 'requeued', recorded };
}
