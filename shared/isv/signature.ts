import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing of the events this app sends to the ISV, and the check the ISV runs on receipt.
 * Self-contained (node:crypto only) so an ISV can copy this file into a Node receiver as it is.
 *
 *   X-Saas-Fulfillment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * One `v1` per signing secret (several during a rotation); unknown keys are ignored. Verify the raw
 * bytes received, before any JSON.parse.
 */
export const SIGNATURE_HEADER = 'X-Saas-Fulfillment-Signature';
export const SIGNATURE_SCHEME = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureFailureReason = 'missing_header' | 'malformed_header' | 'timestamp_outside_tolerance' | 'no_matching_signature';

const MESSAGES: Record<SignatureFailureReason, string> = {
  missing_header: `No ${SIGNATURE_HEADER} header: is the request from saas-fulfillment?`,
  malformed_header: `The ${SIGNATURE_HEADER} header must look like t=<unix seconds>,v1=<hex HMAC-SHA256>`,
  timestamp_outside_tolerance: 'The signature timestamp is outside the tolerance: check the clocks, or this is a replayed request',
  no_matching_signature:
    'No signature matches the body: check the secret, and that the exact raw body is verified (not re-serialised JSON)',
};

/** The request is not a genuine, fresh event. `reason` is a stable code; the message says what to check. */
export class SignatureVerificationError extends Error {
  readonly reason: SignatureFailureReason;

  constructor(reason: SignatureFailureReason) {
    super(MESSAGES[reason]);
    this.name = 'SignatureVerificationError';
    this.reason = reason;
  }
}

/** The raw request body: a string (UTF-8) or the bytes as received. */
export type SignedPayload = string | Uint8Array;

export interface SignPayloadOptions {
  payload: SignedPayload;
  secret: string;
  /** Unix time in seconds; the `t` of the header. */
  timestamp: number;
}

/** The `v1` value: hex HMAC-SHA256 keyed with `secret` over `"<timestamp>.<payload>"`. */
export function signPayload({ payload, secret, timestamp }: SignPayloadOptions): string {
  assertPayload(payload);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new TypeError('timestamp must be whole unix seconds');
  if (typeof secret !== 'string' || secret === '') throw new TypeError('secret must be a non-empty string');
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(payload).digest('hex');
}

export interface BuildSignatureHeaderOptions {
  payload: SignedPayload;
  /** One `v1` is added per secret, in order. */
  secrets: readonly string[];
  timestamp: number;
}

/** `t=<timestamp>,v1=<sig>[,v1=<sig>…]`: the header value the sender attaches. */
export function buildSignatureHeader({ payload, secrets, timestamp }: BuildSignatureHeaderOptions): string {
  if (secrets.length === 0) throw new TypeError('at least one secret is required');
  const signatures = secrets.map((secret) => `${SIGNATURE_SCHEME}=${signPayload({ payload, secret, timestamp })}`);
  return [`t=${timestamp}`, ...signatures].join(',');
}

export interface VerifySignatureOptions {
  /** The raw body exactly as received. */
  payload: SignedPayload;
  /** The header value; an array (repeated header) is joined with commas. */
  header: string | readonly string[] | null | undefined;
  /** Every secret currently accepted (old and new during a rotation). */
  secrets: readonly string[];
  /** Largest allowed distance between `t` and `now`, either way. Default 300. */
  toleranceSeconds?: number;
  /** The receiving time: a Date or epoch milliseconds (`Date.now()`). */
  now: Date | number;
}

/** Throws SignatureVerificationError unless some `v1` matches some secret and `t` is fresh. */
export function verifySignature(options: VerifySignatureOptions): { timestamp: number } {
  const { payload, secrets, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = options;
  assertPayload(payload);
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('verifySignature needs at least one non-empty secret');
  }
  const nowMs = options.now instanceof Date ? options.now.getTime() : options.now;
  if (!Number.isFinite(nowMs)) throw new TypeError('now must be a valid Date or epoch milliseconds');
  const header = typeof options.header === 'string' || options.header == null ? options.header : options.header.join(',');
  if (header == null || header.trim() === '') throw new SignatureVerificationError('missing_header');

  const { timestamp, signatures } = parseHeader(header);
  const received = signatures.filter((s) => /^[0-9a-f]{64}$/i.test(s)).map((s) => Buffer.from(s, 'hex'));
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(signPayload({ payload, secret, timestamp }), 'hex');
    return received.some((candidate) => timingSafeEqual(candidate, expected));
  });
  if (!matches) throw new SignatureVerificationError('no_matching_signature');
  if (Math.abs(Math.floor(nowMs / 1000) - timestamp) > toleranceSeconds) {
    throw new SignatureVerificationError('timestamp_outside_tolerance');
  }
  return { timestamp };
}

export interface TestSignatureHeaderOptions {
  payload: SignedPayload;
  /** One secret, or several for a rotation (one `v1` each). */
  secret: string | readonly string[];
  /** Unix seconds, or a Date converted to them. */
  timestamp: number | Date;
  /** Use these `v1` values instead of computing them (to build wrong signatures). */
  signatures?: readonly string[];
  /** Key used instead of `v1` (to build headers with an unknown scheme). */
  scheme?: string;
}

/** The test-signing twin: a header `verifySignature` accepts, or a deliberately broken variant. */
export function generateTestSignatureHeader(options: TestSignatureHeaderOptions): string {
  const timestamp = options.timestamp instanceof Date ? Math.floor(options.timestamp.getTime() / 1000) : options.timestamp;
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  const values = options.signatures ?? secrets.map((secret) => signPayload({ payload: options.payload, secret, timestamp }));
  return [`t=${timestamp}`, ...values.map((value) => `${options.scheme ?? SIGNATURE_SCHEME}=${value}`)].join(',');
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) throw new SignatureVerificationError('malformed_header');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) throw new SignatureVerificationError('malformed_header');
      timestamp = Number(value);
    } else if (key === SIGNATURE_SCHEME) {
      signatures.push(value);
    }
  }
  if (timestamp === undefined || signatures.length === 0) throw new SignatureVerificationError('malformed_header');
  return { timestamp, signatures };
}

function assertPayload(payload: unknown): asserts payload is SignedPayload {
  if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
    throw new TypeError('Sign and verify the raw body (a string or Buffer), not parsed JSON');
  }
}
