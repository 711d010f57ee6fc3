import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token of the landing page's Activate form: `v1.<expiry in unix seconds>.<signature>`, where
 * the signature is HMAC-SHA256 (base64url) keyed with LANDING_FORM_SECRET over a purpose label, the
 * subscription id and the expiry. It proves that this app rendered the form for this subscription a
 * short while ago: it cannot be forged without the secret, cannot be used for another subscription
 * and stops working at the expiry. Time is an input (`now`), never read here.
 */
const VERSION = 'v1';
const PURPOSE = 'saas-fulfillment/landing-activate';
const FORMAT = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export interface CreateFormTokenOptions {
  subscriptionId: string;
  secret: string;
  now: Date;
  ttlSeconds: number;
}

export interface VerifyFormTokenOptions {
  token: string;
  subscriptionId: string;
  secret: string;
  now: Date;
}

export type FormTokenCheck =
  | { ok: true; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'badSignature' | 'expired' };

function sign(secret: string, subscriptionId: string, expires: number): Buffer {
  if (secret === '') throw new TypeError('The form token secret must not be empty');
  return createHmac('sha256', secret).update(`${PURPOSE}\n${VERSION}\n${subscriptionId}\n${expires}`, 'utf8').digest();
}

export function createFormToken({ subscriptionId, secret, now, ttlSeconds }: CreateFormTokenOptions): string {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
  return `${VERSION}.${expires}.${sign(secret, subscriptionId, expires).toString('base64url')}`;
}

/** Checks the signature (in constant time) before the expiry, so a forged token never learns more. */
export function verifyFormToken({ token, subscriptionId, secret, now }: VerifyFormTokenOptions): FormTokenCheck {
  const match = FORMAT.exec(token);
  if (match === null) return { ok: false, reason: 'malformed' };
  const expires = Number(match[1]);
  const received = Buffer.from(match[2] ?? '', 'base64url');
  const expected = sign(secret, subscriptionId, expires);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return { ok: false, reason: 'badSignature' };
  if (Math.floor(now.getTime() / 1000) >= expires) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt: new Date(expires * 1000) };
}
