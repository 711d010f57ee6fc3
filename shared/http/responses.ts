import type { HttpResponseInit } from '@azure/functions';
import {
  AlreadyExistsError,
  AuthenticationError,
  ConcurrencyConflictError,
  DependencyUnavailableError,
  InvalidTransitionError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  toError,
} from '../errors';
import { consoleLogger, type Logger } from '../logging';
import { HTML_SECURITY_HEADERS, withHeaders } from './security';

export { contentSecurityPolicy, escapeHtml, styleHash } from './security';

/** The one shape of every error response. `details` appears only on client errors (4xx). */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; invocationId: string };
}

export type ResponseHeaders = Record<string, string>;

/** Seconds a client should wait after a 503 unless the error says otherwise (`details.retryAfterSeconds`). */
export const DEFAULT_RETRY_AFTER_SECONDS = 30;

const JSON_HEADERS: ResponseHeaders = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** A JSON response; not cached by default. `headers` override the defaults (case-insensitively). */
export function json(status: number, body: unknown, headers: ResponseHeaders = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: withHeaders(JSON_HEADERS, headers) };
}

/**
 * An HTML response with a strict Content-Security-Policy (see `contentSecurityPolicy`), no caching,
 * no MIME sniffing, no framing and no Referer (the landing page URL carries the purchase token).
 * Escape every interpolated value with `escapeHtml`.
 */
export function html(status: number, body: string, headers: ResponseHeaders = {}): HttpResponseInit {
  return { status, body, headers: withHeaders(HTML_SECURITY_HEADERS, headers) };
}

interface ClientError {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  headers?: ResponseHeaders;
}

function withDetails(error: { details: Record<string, unknown> }): Record<string, unknown> | undefined {
  return Object.keys(error.details).length > 0 ? { ...error.details } : undefined;
}

/** The 4xx a known client error maps to, or undefined for anything that is our fault. */
function clientError(error: Error): ClientError | undefined {
  if (error instanceof ValidationError) {
    return { status: 400, code: error.code, message: error.message, details: { ...error.details, issues: [...error.issues] } };
  }
  if (error instanceof AuthenticationError) {
    // The message may say what was wrong with the credential; only the short `reason` is returned.
    return {
      status: 401,
      code: error.code,
      message: 'Authentication failed',
      details: { reason: error.reason },
      headers: { 'WWW-Authenticate': 'Bearer' },
    };
  }
  if (error instanceof NotFoundError) return { status: 404, code: error.code, message: error.message, details: withDetails(error) };
  if (error instanceof PayloadTooLargeError) {
    return { status: 413, code: error.code, message: error.message, details: withDetails(error) };
  }
  if (error instanceof UnsupportedMediaTypeError) return { status: 415, code: error.code, message: error.message, details: withDetails(error) };
  if (error instanceof AlreadyExistsError || error instanceof ConcurrencyConflictError || error instanceof InvalidTransitionError) {
    return { status: 409, code: error.code, message: error.message, details: withDetails(error) };
  }
  return undefined;
}

function retryAfterSeconds(error: DependencyUnavailableError): number {
  const value = error.details.retryAfterSeconds;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_RETRY_AFTER_SECONDS;
}

function errorBody(code: string, message: string, invocationId: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details === undefined ? { code, message, invocationId } : { code, message, details, invocationId } };
}

/**
 * The one place errors become HTTP responses. Client errors (4xx) expose their code, message and
 * details and are logged at warn without a stack. Everything else, including values that are not
 * Errors, becomes a generic 500 (or 503 with Retry-After for DependencyUnavailableError) carrying only
 * the invocation id, and is logged in full through `logger`, which redacts secrets: error level for
 * 500, warn for 503 (a transient outage the client retries). Without a logger, the console logger
 * is used so that no failure goes unlogged.
 */
export function toHttpResponse(error: unknown, context: { invocationId: string }, logger: Logger = consoleLogger()): HttpResponseInit {
  const err = toError(error);
  const { invocationId } = context;
  const known = clientError(err);
  if (known !== undefined) {
    logger.warn('request rejected', {
      status: known.status,
      errorCode: known.code,
      errorMessage: err.message,
      details: known.details,
      invocationId,
    });
    return json(known.status, errorBody(known.code, known.message, invocationId, known.details), known.headers);
  }
  if (err instanceof DependencyUnavailableError) {
    logger.warn('request failed: dependency unavailable', { status: 503, invocationId, error: err });
    const message = 'A service this request depends on is temporarily unavailable; retry later.';
    return json(503, errorBody(err.code, message, invocationId), { 'Retry-After': String(retryAfterSeconds(err)) });
  }
  logger.error('request failed', { status: 500, invocationId, error: err });
  const message = `An unexpected error occurred. Quote invocation id ${invocationId} when reporting it.`;
  return json(500, errorBody('InternalError', message, invocationId));
}
