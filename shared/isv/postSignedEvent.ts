import { type Clock } from '../clock';
import { CLOUDEVENTS_CONTENT_TYPE, type CloudEvent } from './cloudEvent';
import { type Telemetry, withTraceCarrier } from '../telemetry/telemetry';
import { buildSignatureHeader, SIGNATURE_HEADER } from './signature';

export interface SignedPostSettings {
  url: string;
  secret: string;
  /** Deadline of the whole call (connect, headers and body). */
  timeoutMs: number;
  clock: Clock;
  fetch: typeof fetch;
  userAgent: string;
  /** Absent: no span, no trace context in the event. */
  telemetry?: Telemetry;
}

/** What one attempt produced. Non-2xx statuses are results, not exceptions: the caller decides. */
export type PostResult =
  | { kind: 'response'; status: number; text: string }
  | { kind: 'timeout'; cause: unknown }
  | { kind: 'network'; cause: unknown; code?: string };

/** Longest response text kept (for the ISV's `reason`); the rest is read and dropped. */
const MAX_RESPONSE_CHARS = 16_384;
const MAX_REASON_CHARS = 500;

/**
 * POSTs one signed CloudEvent, once (no retries here: the caller's queue retries). The body is
 * serialised once and signed as sent; `Idempotency-Key` is the event id, so it is the same on every
 * retry of the same work while `t` in the signature is fresh each time. Redirects are not followed
 * (a signed event must not travel to a host nobody configured). A caller abort is rethrown as is.
 */
export async function postSignedEvent(settings: SignedPostSettings, event: CloudEvent<unknown>, signal?: AbortSignal): Promise<PostResult> {
  const telemetry = settings.telemetry;
  if (telemetry === undefined || !telemetry.enabled) return postOnce(settings, event, signal);
  const attributes = { 'cloudevents.event_id': event.id, 'cloudevents.event_type': event.type, 'cloudevents.event_subject': event.subject, 'server.address': hostOf(settings.url) };
  return telemetry.inSpan(`POST isv ${event.type}`, { kind: 'client', attributes }, async (span) => {
    // The distributed-tracing extension: the ISV can continue this trace (the attributes are signed with the body).
    const result = await postOnce(settings, withTraceCarrier(span.telemetry, event), signal);
    if (result.kind === 'response') {
      span.setAttributes({ 'http.response.status_code': result.status });
      if (!isSuccessStatus(result.status)) span.fail(`HTTP ${result.status}`);
    } else {
      span.setAttributes({ 'error.type': result.kind === 'timeout' ? 'timeout' : (result.code ?? 'network') });
      span.fail(result.kind);
    }
    return result;
  });
}

async function postOnce(settings: SignedPostSettings, event: CloudEvent<unknown>, signal?: AbortSignal): Promise<PostResult> {
  signal?.throwIfAborted();
  const body = JSON.stringify(event);
  const timestamp = Math.floor(settings.clock.now().getTime() / 1000);
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const headers = {
    'Content-Type': CLOUDEVENTS_CONTENT_TYPE,
    Accept: 'application/json',
    'User-Agent': settings.userAgent,
    'Idempotency-Key': event.id,
    [SIGNATURE_HEADER]: buildSignatureHeader({ payload: body, secrets: [settings.secret], timestamp }),
  };
  try {
    const res = await settings.fetch(settings.url, { method: 'POST', headers, body, signal: combined, redirect: 'manual' });
    const text = await res.text();
    return { kind: 'response', status: res.status, text: text.slice(0, MAX_RESPONSE_CHARS) };
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) return { kind: 'timeout', cause };
    return { kind: 'network', cause, code: networkCode(cause) };
  }
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : 'invalid';
}

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The `reason` string of a JSON answer (`{ "reason": "…" }`), trimmed and shortened; else undefined. */
export function reasonFrom(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || !('reason' in parsed) || typeof parsed.reason !== 'string') return undefined;
  const reason = parsed.reason.trim();
  return reason === '' ? undefined : reason.slice(0, MAX_REASON_CHARS);
}

/** undici wraps the socket error: `TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })`. */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 4; depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}
