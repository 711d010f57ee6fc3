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

export { dequeueCountOf, MAX_DEQUEUE_COUNT } from '../storage/queueNames';
