export * from './hooks';
export { createIsvHooks, isvHooksFor, type CreateIsvHooksOptions } from './createIsvHooks';
export { createHttpIsvHooks, type HttpIsvHooksOptions } from './httpIsvHooks';
export { IsvHookError, isRetryableStatus, type IsvHookErrorInit, type IsvHookFailureKind, type IsvHookName } from './errors';
export { CLOUDEVENTS_CONTENT_TYPE, ISV_DECISION_EVENT_TYPE, ISV_EVENT_SOURCE, ISV_USER_AGENT, type CloudEvent } from './cloudEvent';
export {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  SignatureVerificationError,
  buildSignatureHeader,
  generateTestSignatureHeader,
  signPayload,
  verifySignature,
  type SignatureFailureReason,
  type SignedPayload,
  type VerifySignatureOptions,
} from './signature';
