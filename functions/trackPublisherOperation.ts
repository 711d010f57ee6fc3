import { app, type InvocationContext } from '@azure/functions';
import { getAdminDependencies, trackDeps, type AdminDependencies } from '../shared/admin';
import { parseTrackingMessage, trackPublisherOperation as track } from '../shared/publisherOperations';
import { QUEUE_NAMES } from '../shared/storage';

/**
 * Queue trigger on `publisher-operations`: one poll of a publisher-initiated operation; when it is
 * not final yet the use case puts the message back with a longer visibility delay. Throws on
 * failure so that the queue retries (and, after the last attempt, moves it to the poison queue).
 */
export function createTrackPublisherOperationHandler(getDeps: (context: InvocationContext) => AdminDependencies) {
  return async function trackPublisherOperation(queueItem: unknown, context: InvocationContext): Promise<void> {
    const deps = getDeps(context);
    const message = parseTrackingMessage(queueItem);
    await track(trackDeps(deps, deps.logger(context, { queueMessageId: context.triggerMetadata?.id })), message);
  };
}

app.storageQueue('trackPublisherOperation', {
  queueName: QUEUE_NAMES.publisherOperations,
  connection: 'AzureWebJobsStorage',
  handler: createTrackPublisherOperationHandler(getAdminDependencies),
});
