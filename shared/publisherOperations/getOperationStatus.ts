import { NotFoundError } from '../errors';
import type { OperationLedger } from '../storage';
import { operationStatusView, PUBLISHER_SOURCE, withWebhookOutcome, type OperationStatusView } from './publisherRequest';
import { ID_PATTERN } from './trackingMessage';

/**
 * The status URL of a publisher request (`/api/operations/{requestId}`); a webhook operation's row
 * can be read the same way by Microsoft's operation id. Ids that cannot be ours (internal lease
 * rows, anything outside the id alphabet) are simply not found. A publisher request that is not
 * final yet reflects whichever source learnt the outcome first: when the webhook's processing of
 * Microsoft's operation has already finished it, that outcome is shown (one more point read).
 */
export async function getOperationStatus(deps: { operations: Pick<OperationLedger, 'get'> }, id: string): Promise<OperationStatusView> {
  if (!ID_PATTERN.test(id)) throw new NotFoundError('Operation', id);
  const row = await deps.operations.get(id);
  if (row === undefined) throw new NotFoundError('Operation', id);
  const view = operationStatusView(row.value);
  const operationId = view.marketplaceOperationId;
  if (view.done || row.value.source !== PUBLISHER_SOURCE || operationId === undefined || !ID_PATTERN.test(operationId)) return view;
  const processed = await deps.operations.get(operationId);
  return processed === undefined ? view : withWebhookOutcome(view, processed.value);
}
