import { createHash } from 'node:crypto';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { joseSdk } from '../lazySdk';
import { AuthenticationError, DependencyUnavailableError } from '../errors';
import { MARKETPLACE_RESOURCE_ID } from '../marketplace/constants';

/**
 * Authentication of marketplace webhook calls (marketplace-api.md §4.6): an Entra bearer JWT,
 * RS256 only, signed by a key of the configured key set, with `iss`, `aud`, `tid` and `appid`/`azp`
 * on allow-lists and `exp`/`nbf`/`iat` checked against an injected `now` with a small tolerance.
 * Every refusal is an AuthenticationError carrying one of the short reason codes below; the token
 * itself never appears in an error, a message or a log line.
 */
export const WEBHOOK_AUTH_REASONS = [
  'missing_token',
  'malformed_token',
  'unsupported_alg',
  'unknown_key',
  'bad_signature',
  'expired',
  'not_yet_valid',
  'wrong_issuer',
  'wrong_audience',
  'wrong_tenant',
  'wrong_client',
  'invalid_claims',
] as const;
export type WebhookAuthReason = (typeof WEBHOOK_AUTH_REASONS)[number];

export interface WebhookTokenVerifierOptions {
  /** Key set of the publisher tenant (Entra: `https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys`). */
  jwksUrl: string;
  /** Accepted `iss` values (the v1 and v2 issuers of the tenant). */
  issuers: readonly string[];
  /** Accepted `aud` values (the publisher app's client id and/or app id URI). */
  audiences: readonly string[];
  /** The publisher tenant: `tid` must equal it. */
  tenantId: string;
  /** `appid` (v1) / `azp` (v2) must equal it. Default: the Marketplace resource id. */
  callerAppId?: string;
  clockSkewSeconds: number;
  /** A key set other than the remote one (tests). */
  keys?: JWTVerifyGetKey;
  /** Minimum time between two key set fetches caused by an unknown `kid` (default 30 s). */
  cooldownMs?: number;
  /** Key set cache lifetime (default 10 min). */
  cacheMaxAgeMs?: number;
  /** Key set fetch timeout (default 5 s). */
  fetchTimeoutMs?: number;
  /** Verified tokens remembered (by SHA-256) so a token the marketplace reuses is not verified again (default 1,000; 0 = off). */
  cacheSize?: number;
}

/** The claims of a verified webhook token (no signature material). */
export interface WebhookCaller {
  tenantId: string;
  appId: string;
  issuer: string;
  version: 'v1' | 'v2';
}

export interface WebhookTokenVerifier {
  /** Verifies the `Authorization` header value at `now`; AuthenticationError or DependencyUnavailableError. */
  verify(authorization: string | null | undefined, now: Date): Promise<WebhookCaller>;
}

/** Longer headers are refused before parsing (Entra tokens are a few KiB). */
export const MAX_TOKEN_LENGTH = 16_384;
/** A token issued more than this long ago is refused whatever its `exp` (Entra tokens live about an hour). */
const MAX_TOKEN_AGE_SECONDS = 24 * 60 * 60;
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
/** A remembered token is verified again (signature included) after this long, like the key set cache. */
const REMEMBER_MS = 600_000;

interface Remembered {
  caller: WebhookCaller;
  notBefore: number;
  expires: number;
  until: number;
}

const refuse = (reason: WebhookAuthReason): AuthenticationError => new AuthenticationError(reason, `Webhook token refused: ${reason}`);

function claimReason(claim: string, why: string): WebhookAuthReason {
  if (why === 'missing') return 'invalid_claims';
  if (claim === 'iss') return 'wrong_issuer';
  if (claim === 'aud') return 'wrong_audience';
  if (claim === 'nbf' || claim === 'iat') return 'not_yet_valid';
  if (claim === 'exp') return 'expired';
  return 'invalid_claims';
}

/** jose's errors as our reasons; a key set that cannot be fetched is a 503 (the marketplace retries). */
function translate(error: unknown): Error {
  const { errors } = joseSdk();
  if (error instanceof errors.JWTExpired) return refuse('expired');
  if (error instanceof errors.JWTClaimValidationFailed) return refuse(claimReason(error.claim, error.reason));
  if (error instanceof errors.JWSSignatureVerificationFailed) return refuse('bad_signature');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return refuse('unknown_key');
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return refuse('unsupported_alg');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JWKInvalid) return refuse('malformed_token');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof errors.JOSEError || error instanceof TypeError) {
    return new DependencyUnavailableError('webhook-signing-keys', 'The webhook signing keys could not be fetched', {
      cause: error,
      details: { retryAfterSeconds: 5 },
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function bearerToken(authorization: string | null | undefined): string {
  if (authorization === null || authorization === undefined || authorization.trim() === '') throw refuse('missing_token');
  if (authorization.length > MAX_TOKEN_LENGTH) throw refuse('malformed_token');
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined) throw refuse('missing_token');
  return token;
}

function checkHeader(token: string): void {
  if (token.split('.').length !== 3) throw refuse('malformed_token');
  let alg: unknown;
  try {
    alg = joseSdk().decodeProtectedHeader(token).alg;
  } catch {
    throw refuse('malformed_token');
  }
  if (alg !== 'RS256') throw refuse('unsupported_alg');
}

function checkMarketplaceClaims(payload: JWTPayload, tenantId: string, callerAppId: string): WebhookCaller {
  if (typeof payload.tid !== 'string' || payload.tid.toLowerCase() !== tenantId.toLowerCase()) throw refuse('wrong_tenant');
  const callers = [payload.appid, payload.azp].filter((value) => value !== undefined);
  if (callers.length === 0 || !callers.every((value) => typeof value === 'string' && value.toLowerCase() === callerAppId.toLowerCase())) {
    throw refuse('wrong_client');
  }
  return {
    tenantId: payload.tid,
    appId: callerAppId,
    issuer: String(payload.iss),
    version: payload.ver === '1.0' || payload.appid !== undefined ? 'v1' : 'v2',
  };
}

export function createWebhookTokenVerifier(options: WebhookTokenVerifierOptions): WebhookTokenVerifier {
  if (options.issuers.length === 0 || options.audiences.length === 0) throw new TypeError('issuers and audiences must not be empty');
  const keys =
    options.keys ??
    joseSdk().createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: options.cooldownMs ?? 30_000,
      cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
      timeoutDuration: options.fetchTimeoutMs ?? 5_000,
    });
  const callerAppId = options.callerAppId ?? MARKETPLACE_RESOURCE_ID;
  const verifyOptions = {
    algorithms: ['RS256'],
    issuer: [...options.issuers],
    audience: [...options.audiences],
    clockTolerance: options.clockSkewSeconds,
    maxTokenAge: MAX_TOKEN_AGE_SECONDS,
    requiredClaims: ['exp', 'iat', 'tid'],
  };

  const cacheSize = options.cacheSize ?? 1_000;
  const remembered = new Map<string, Remembered>();
  const skewMs = options.clockSkewSeconds * 1000;

  /**
   * The marketplace reuses one token for many calls (it lives about an hour): a token verified in
   * full is remembered by its SHA-256, and on a repeat only its time window is checked again.
   */
  const recall = (digest: string, now: Date): WebhookCaller | undefined => {
    const entry = remembered.get(digest);
    if (entry === undefined) return undefined;
    const at = now.getTime();
    if (at >= entry.until || at < entry.notBefore - skewMs) {
      remembered.delete(digest);
      return undefined;
    }
    if (at >= entry.expires + skewMs) throw refuse('expired');
    return entry.caller;
  };
  const remember = (digest: string, caller: WebhookCaller, payload: JWTPayload, now: Date): void => {
    if (cacheSize <= 0) return;
    if (remembered.size >= cacheSize) remembered.delete(remembered.keys().next().value as string);
    const seconds = (value: unknown, fallback: number): number => (typeof value === 'number' ? value * 1000 : fallback);
    remembered.set(digest, { caller, notBefore: seconds(payload.nbf, seconds(payload.iat, 0)), expires: seconds(payload.exp, 0), until: now.getTime() + REMEMBER_MS });
  };

  return {
    async verify(authorization, now) {
      const token = bearerToken(authorization);
      const digest = createHash('sha256').update(token).digest('base64url');
      const known = recall(digest, now);
      if (known !== undefined) return known;
      checkHeader(token);
      let payload: JWTPayload;
      try {
        ({ payload } = await joseSdk().jwtVerify(token, keys, { ...verifyOptions, currentDate: now }));
      } catch (error) {
        throw translate(error);
      }
      const caller = checkMarketplaceClaims(payload, options.tenantId, callerAppId);
      remember(digest, caller, payload, now);
      return caller;
    },
  };
}
