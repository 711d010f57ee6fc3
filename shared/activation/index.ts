export {
  ACTIVATION_ATTEMPT_FAILED,
  ACTIVATION_FAILED,
  activateSubscription,
  type ActivateSubscriptionDeps,
  type ActivationOutcome,
  type DeliveryAttempt,
} from './activateSubscription';
export { activationMessageSchema, parseActivationMessage, type ActivationMessage } from './activationMessage';
export {
  ACTIVATION_REQUEST_RETRY_MS,
  ACTIVATION_REQUESTED,
  activationRecentlyRequested,
  requestActivation,
  type ActivationTrigger,
  type RequestActivationDeps,
} from './requestActivation';

/**
 * host.json `extensions.queues.maxDequeueCount`: after this many failed deliveries the host moves
 * the message to the poison queue. A unit test keeps the two in step.
 */
export const MAX_DEQUEUE_COUNT = 5;

/** The attempt number of a queue delivery, from `context.triggerMetadata.dequeueCount` (0 when absent). */
export function dequeueCountOf(triggerMetadata: Record<string, unknown> | undefined): number {
  const value = triggerMetadata?.dequeueCount;
  const count = typeof value === 'string' ? Number(value) : value;
  return typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : 0;
}
