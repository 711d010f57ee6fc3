import { systemClock, type Clock } from '../clock';
import { silentLogger, type Logger } from '../logging';
import { noTelemetry, type Telemetry } from '../telemetry/telemetry';
import { ISV_EVENT_SOURCE, ISV_USER_AGENT, toCloudEvent } from './cloudEvent';
import { IsvHookError, type IsvHookName } from './errors';
import { noopIsvHooks, type IsvEvent, type IsvHooks } from './hooks';
import { isSuccessStatus, postSignedEvent, reasonFrom, type PostResult, type SignedPostSettings } from './postSignedEvent';
import { requestDecision } from './requestDecision';

export interface HttpIsvHooksOptions {
  /** Receives provision and lifecycle events. Absent: provision and notify do nothing. */
  webhookUrl?: string;
  /** Answers change decisions. Absent: every change is accepted without a call. */
  decisionUrl?: string;
  /** HMAC key of the signature header (≥ 32 characters). */
  secret: string;
  /** Deadline of one webhook call, in milliseconds. */
  timeoutMs: number;
  /** Deadline of one decision call, in milliseconds (must fit in Microsoft's 10-second window). */
  decisionTimeoutMs: number;
  logger?: Logger;
  /** Source of the signature timestamps and the decision event time. */
  clock?: Clock;
  fetch?: typeof fetch;
  /** A span per event, and the trace context in the event (CloudEvents distributed-tracing extension). */
  telemetry?: Telemetry;
  /** CloudEvents `source`; default `urn:saas-fulfillment`. */
  source?: string;
  userAgent?: string;
}

/**
 * The ISV hooks over HTTP: signed CloudEvents 1.0 (structured JSON) to the ISV's endpoints. One
 * attempt per call; provision and notify throw IsvHookError on anything but 2xx (so the queue
 * retries), decide never throws except for an abort of the caller's signal.
 */
export function createHttpIsvHooks(options: HttpIsvHooksOptions): IsvHooks {
  return httpIsvHooksFor(options)(options.telemetry ?? noTelemetry);
}

/**
 * The same hooks for any telemetry: the options are checked once, then each call gives hooks whose
 * spans (and event trace context) come from that telemetry, e.g. one invocation's. Only the settings
 * objects and the three hook functions are built per call.
 */
export function httpIsvHooksFor(options: Omit<HttpIsvHooksOptions, 'telemetry'>): (telemetry: Telemetry) => IsvHooks {
  if (typeof options.secret !== 'string' || options.secret === '') throw new TypeError('createHttpIsvHooks needs a signing secret');
  const logger = options.logger ?? silentLogger;
  const source = options.source ?? ISV_EVENT_SOURCE;
  const shared = {
    secret: options.secret,
    clock: options.clock ?? systemClock,
    fetch: options.fetch ?? fetch,
    userAgent: options.userAgent ?? ISV_USER_AGENT,
  };
  return (telemetry) => httpIsvHooks(options, { ...shared, telemetry }, source, logger);
}

function httpIsvHooks(
  options: Pick<HttpIsvHooksOptions, 'webhookUrl' | 'decisionUrl' | 'timeoutMs' | 'decisionTimeoutMs'>,
  common: Omit<SignedPostSettings, 'url' | 'timeoutMs'>,
  source: string,
  logger: Logger,
): IsvHooks {
  const { webhookUrl, decisionUrl } = options;
  const webhook: SignedPostSettings | undefined =
    webhookUrl === undefined ? undefined : { ...common, url: webhookUrl, timeoutMs: options.timeoutMs };
  const decision =
    decisionUrl === undefined ? undefined : { ...common, url: decisionUrl, timeoutMs: options.decisionTimeoutMs, source, logger };

  const deliver = async (hook: IsvHookName, event: IsvEvent, signal: AbortSignal | undefined): Promise<void> => {
    if (webhook === undefined) return;
    const result = await postSignedEvent(webhook, toCloudEvent(event, source), signal);
    const fields = { hook, eventId: event.id, eventType: event.type, subscriptionId: event.subject };
    if (result.kind === 'response' && isSuccessStatus(result.status)) {
      logger.debug('isv event delivered', { ...fields, status: result.status });
      return;
    }
    const error = toHookError(hook, event, result, webhook.timeoutMs);
    // A refusal needs a person; an outage is retried by the queue and heals on its own.
    if (error.retryable) logger.debug('isv event not delivered', { ...fields, kind: error.kind, status: error.status });
    else logger.warn('isv refused event', { ...fields, status: error.status });
    throw error;
  };

  return {
    provision: (event, callOptions) => deliver('provision', event, callOptions?.signal),
    notify: (event, callOptions) => deliver('notify', event, callOptions?.signal),
    decide: (request, callOptions) =>
      decision === undefined ? noopIsvHooks.decide(request, callOptions) : requestDecision(decision, request, callOptions.signal),
  };
}

function toHookError(hook: IsvHookName, event: IsvEvent, result: PostResult, timeoutMs: number): IsvHookError {
  const base = { hook, eventId: event.id, eventType: event.type };
  switch (result.kind) {
    case 'timeout':
      return new IsvHookError({ ...base, kind: 'timeout', timeoutMs, cause: result.cause });
    case 'network':
      return new IsvHookError({ ...base, kind: 'network', networkCode: result.code, cause: result.cause });
    case 'response':
      return new IsvHookError({ ...base, kind: 'http', status: result.status, isvReason: reasonFrom(result.text) });
  }
}
