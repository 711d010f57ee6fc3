import { NotFoundError } from '../errors';
import type { OperationLedger } from '../storage';
import { operationStatusView, type OperationStatusView } from './publisherRequest';
import { ID_PATTERN } from './trackingMessage';

/**
 * The status URL of a publisher request (`/api/operations/{requestId}`); a webhook operation's row
 * can be read the same way by Microsoft's operation id. Ids that cannot be ours (internal lease
 * rows, anything outside the id alphabet) are simply not found.
 */
export async function getOperationStatus(deps: { operations: Pick<OperationLedger, 'get'> }, id: string): Promise<OperationStatusView> {
  if (!ID_PATTERN.test(id)) throw new NotFoundError('Operation', id);
  const row = await deps.operations.get(id);
  if (row === undefined) throw new NotFoundError('Operation', id);
  return operationStatusView(row.value);
}
