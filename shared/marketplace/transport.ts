import { type TokenCredential } from '@azure/core-auth';
import { type Clock } from '../clock';
import { ServiceError } from '../errors';
import { type Logger } from '../logging';
import { MARKETPLACE_SCOPE } from './constants';
import { MarketplaceApiError } from './errors';
import { type HttpSender } from './httpSender';
import { type MarketplaceResponse, parseServiceError, responseIds } from './responses';
import { type AttemptOutcome, DEFAULT_BACKOFF, isRetryable, parseRetryAfter, type RetryClass, retryDelayMs, wasNeverConnected } from './retry';
import { routeTemplate, type UrlPolicy } from './urls';
import { type Telemetry } from '../telemetry/telemetry';

/** The optional last argument of every client method. */
export interface MarketplaceCallOptions {
  /** Sent as `x-ms-correlationid`; generated once per logical call when absent. */
  correlationId?: string;
  /** Aborts the call, including retry waits. An abort is rethrown as is and never retried. */
  signal?: AbortSignal;
}

export interface TransportSettings {
  credential: TokenCredential;
  urls: UrlPolicy;
  requestTimeoutMs: number;
  maxAttempts: number;
  retryBudgetMs: number;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  newId: () => string;
  clock: Clock;
  /** Sends one HTTP attempt (node:http by default; tests and benchmarks wrap it). */
  http: HttpSender;
  telemetry: Telemetry;
}

export interface MarketplaceRequest {
  /** The client method name, for errors and logs. */
  operation: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: URL;
  retry: RetryClass;
  body?: unknown;
  headers?: Record<string, string>;
  /** Non-2xx statuses the caller interprets itself (409 on a usage event). */
  acceptStatuses?: readonly number[];
  /** Values that must never reach an error message (the purchase token). */
  secrets?: readonly string[];
}

export type Send = (request: MarketplaceRequest, options?: MarketplaceCallOptions) => Promise<MarketplaceResponse>;

type Attempt = { response: MarketplaceResponse } | { response?: undefined; outcome: AttemptOutcome; error: MarketplaceApiError };

/**
 * One logical call: a fresh `x-ms-requestid` per HTTP attempt (each attempt can be traced on its
 * own), one `x-ms-correlationid` for all attempts (and all pages of a list).
 */
export function createTransport(settings: TransportSettings): Send {
  const backoff = { ...DEFAULT_BACKOFF, random: settings.random };
  return async (request, options = {}) => {
    settings.urls.assertTrusted(request.url);
    const correlationId = options.correlationId ?? settings.newId();
    // Created only when there is something to log (failures, retries): most calls log nothing.
    const log = (): Logger => settings.logger.child({ operation: request.operation, correlationId });
    const started = settings.clock.now().getTime();
    const traced = settings.telemetry.enabled ? routeTemplate(request.url) : undefined;
    const observe = (attempt: number, status: number | string): void => {
      if (traced !== undefined) settings.telemetry.count('marketplace.calls', { method: request.method, route: traced, status: String(status), retried: attempt > 1 });
    };
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      const result =
        traced === undefined
          ? await attemptOnce(settings, request, correlationId, attempt, options.signal)
          : await tracedAttempt(settings, request, traced, correlationId, attempt, options.signal);
      if (result.response) {
        observe(attempt, result.response.status);
        return result.response;
      }
      const { outcome, error } = result;
      const retryAfterMs = outcome.type === 'status' ? outcome.retryAfterMs : undefined;
      const delayMs = retryDelayMs(attempt, retryAfterMs, backoff);
      const elapsedMs = settings.clock.now().getTime() - started;
      const retry = attempt < settings.maxAttempts && isRetryable(request.retry, outcome) && elapsedMs + delayMs <= settings.retryBudgetMs;
      const fields = { attempt, kind: error.kind, status: error.status, requestId: error.requestId, activityId: error.activityId };
      if (!retry) {
        observe(attempt, error.status ?? error.kind);
        const transient = error.kind !== 'http' || (error.status ?? 0) >= 500 || error.status === 429;
        if (transient) log().warn('marketplace request failed', fields);
        else log().debug('marketplace request rejected', { ...fields, serviceCode: error.serviceCode });
        throw error;
      }
      log().debug('marketplace request will be retried', { ...fields, delayMs });
      await pause(settings.sleep, delayMs, options.signal);
    }
  };
}

/**
 * One attempt inside a client span: method, route template, attempt, status, and the request and
 * correlation ids Microsoft's support asks for (x-ms-requestid / x-ms-correlationid). The URL itself
 * is not recorded (ids are in the route's attributes; a resolve call has none).
 */
function tracedAttempt(
  settings: TransportSettings,
  request: MarketplaceRequest,
  route: string,
  correlationId: string,
  attempt: number,
  callerSignal: AbortSignal | undefined,
): Promise<Attempt> {
  const attributes = {
    'http.request.method': request.method,
    'url.template': route,
    'server.address': request.url.host,
    'marketplace.operation': request.operation,
    'marketplace.attempt': attempt,
    'http.request.resend_count': attempt > 1 ? attempt - 1 : undefined,
    'marketplace.correlation_id': correlationId,
  };
  return settings.telemetry.inSpan(`${request.method} ${route}`, { kind: 'client', attributes }, async (span) => {
    const result = await attemptOnce(settings, request, correlationId, attempt, callerSignal);
    if (result.response) {
      const { status, ids } = result.response;
      span.setAttributes({
        'http.response.status_code': status,
        'marketplace.request_id': ids.requestId,
        'marketplace.correlation_id': ids.correlationId,
        'marketplace.activity_id': ids.activityId,
      });
      return result;
    }
    const { error } = result;
    span.setAttributes({
      'http.response.status_code': error.status,
      'marketplace.request_id': error.requestId,
      'marketplace.activity_id': error.activityId,
      'error.type': error.status === undefined ? error.kind : String(error.status),
    });
    span.fail(`${request.operation} failed: ${error.status ?? error.kind}`);
    return result;
  });
}

async function attemptOnce(
  settings: TransportSettings,
  request: MarketplaceRequest,
  correlationId: string,
  attempt: number,
  callerSignal: AbortSignal | undefined,
): Promise<Attempt> {
  const requestId = settings.newId();
  const sent = { requestId, correlationId };
  const token = await bearerToken(settings.credential, callerSignal);
  // A timer cleared as soon as the attempt ends (AbortSignal.timeout would keep one alive for the
  // whole timeout after every request: thousands at a time during reconciliation).
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException('The request timed out', 'TimeoutError')), settings.requestTimeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal;
  const headers: Record<string, string> = {
    ...request.headers,
    Authorization: `Bearer ${token}`,
    Accept: 'application/json',
    'x-ms-requestid': requestId,
    'x-ms-correlationid': correlationId,
  };
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  const fail = (kind: 'timeout' | 'network', cause: unknown): MarketplaceApiError =>
    new MarketplaceApiError({ kind, operation: request.operation, requestId, correlationId, attempts: attempt, cause });
  try {
    // Redirects are never followed (the token must not go elsewhere): a 3xx is an 'http' error.
    const res = await settings.http(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal,
    });
    const response: MarketplaceResponse = { status: res.status, headers: res.headers, text: res.text, ids: responseIds(res.headers, sent) };
    if ((res.status >= 200 && res.status < 300) || request.acceptStatuses?.includes(res.status)) {
      return { response };
    }
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), settings.clock.now().getTime());
    const error = new MarketplaceApiError({
      kind: 'http',
      operation: request.operation,
      status: res.status,
      ...parseServiceError(res.text, request.secrets),
      ...response.ids,
      attempts: attempt,
    });
    return { outcome: { type: 'status', status: res.status, retryAfterMs }, error };
  } catch (cause) {
    if (callerSignal?.aborted) throw callerSignal.reason;
    if (timeout.signal.aborted) return { outcome: { type: 'timeout' }, error: fail('timeout', cause) };
    return { outcome: { type: 'network', connected: !wasNeverConnected(cause) }, error: fail('network', cause) };
  } finally {
    clearTimeout(timer);
  }
}

async function bearerToken(credential: TokenCredential, abortSignal: AbortSignal | undefined): Promise<string> {
  let token;
  try {
    token = await credential.getToken(MARKETPLACE_SCOPE, { abortSignal });
  } catch (cause) {
    if (abortSignal?.aborted) throw abortSignal.reason;
    throw new ServiceError('MarketplaceTokenUnavailable', 'Could not get an access token for the Marketplace API', { cause });
  }
  if (!token?.token) throw new ServiceError('MarketplaceTokenUnavailable', 'The credential returned no access token for the Marketplace API');
  return token.token;
}

/** Waits `ms` with the injected sleep, but gives up at once when the caller aborts. */
async function pause(sleep: (ms: number) => Promise<void>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms);
  signal.throwIfAborted();
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
