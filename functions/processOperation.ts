import { app, type InvocationContext } from '@azure/functions';
import { getOperationsDependencies, type OperationsDependencies } from '../shared/operations/operationsDependencies';
import { parseOperationMessage } from '../shared/operations/operationMessage';
import { processOperation as process, type ProcessResult } from '../shared/operations/processOperation';
import { QUEUE_NAMES } from '../shared/storage';

/**
 * Queue trigger on `operations`: one marketplace operation accepted by the webhook. Throws on
 * failure so that the queue retries (and, after the last attempt, moves it to `operations-poison`).
 */
export function createProcessOperationHandler(getDeps: (context: InvocationContext) => OperationsDependencies) {
  // Returns the result (no output binding uses it) so that the telemetry hook can count it.
  return async function processOperation(queueItem: unknown, context: InvocationContext): Promise<ProcessResult> {
    const deps = getDeps(context);
    const message = parseOperationMessage(queueItem);
    const logger = deps.logger(context, { queueMessageId: context.triggerMetadata?.id });
    const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
    return process({ ...deps, logger }, message, { dequeueCount: Number.isFinite(dequeueCount) ? dequeueCount : 1 });
  };
}

app.storageQueue('processOperation', {
  queueName: QUEUE_NAMES.operations,
  connection: 'AzureWebJobsStorage',
  handler: createProcessOperationHandler(getOperationsDependencies),
});
