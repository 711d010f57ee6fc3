export { getOperationStatus } from './getOperationStatus';
export { FINAL_STATES, operationStatusView, PUBLISHER_SOURCE, readDetails, type OperationStatusView, type PublisherRequestDetails } from './publisherRequest';
export { requestPublisherChange, type ChangeRequestResult, type RequestChangeDeps } from './requestPublisherChange';
export { trackPublisherOperation, type TrackOperationDeps, type TrackOutcome } from './trackPublisherOperation';
export {
  DEFAULT_FIRST_POLL_SECONDS,
  ID_PATTERN,
  nextPollDelaySeconds,
  parseTrackingMessage,
  PUBLISHER_ACTIONS,
  TRACKING_MESSAGE_VERSION,
  type PublisherAction,
  type TrackingMessage,
} from './trackingMessage';
export { changeIssues, type PublisherChange } from './validateChange';
