import { app, type InvocationContext } from '@azure/functions';
import { activateSubscription, type ActivationOutcome, dequeueCountOf, MAX_DEQUEUE_COUNT, parseActivationMessage } from '../shared/activation';
import { getDependencies, type AppDependencies } from '../shared/dependencies';
import { QUEUE_NAMES } from '../shared/storage';

/**
 * Queue `activations`: provision and Activate one purchase. A failure throws, so the host retries
 * the message and moves it to `activations-poison` after the last attempt; a message whose work is
 * already done returns normally.
 */
type ActivationAppDependencies = Pick<AppDependencies, 'marketplace' | 'subscriptions' | 'history' | 'operations' | 'isv' | 'clock' | 'logger'>;

export function createActivateSubscriptionHandler(getDeps: (context: InvocationContext) => ActivationAppDependencies = getDependencies) {
  // Returns the outcome (no output binding uses it) so that the telemetry hook can count it.
  return async function activateSubscriptionHandler(message: unknown, context: InvocationContext): Promise<ActivationOutcome> {
    const deps = getDeps(context);
    const parsed = parseActivationMessage(message);
    const logger = deps.logger(context, { subscriptionId: parsed.subscriptionId });
    const { marketplace, subscriptions, history, operations, isv, clock } = deps;
    return activateSubscription({ marketplace, subscriptions, history, operations, isv, clock, logger }, parsed, {
      attempt: dequeueCountOf(context.triggerMetadata),
      maxAttempts: MAX_DEQUEUE_COUNT,
    });
  };
}

app.storageQueue('activateSubscription', {
  queueName: QUEUE_NAMES.activations,
  connection: 'AzureWebJobsStorage',
  handler: createActivateSubscriptionHandler(),
});
