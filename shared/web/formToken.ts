import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Anti-forgery tokens of the app's HTML forms: `v1.<expiry in unix seconds>.<signature>`, where the
 * signature is HMAC-SHA256 (base64url) over a purpose label (which form), a subject (what the form
 * acts on: a subscription id, an operator and action…) and the expiry. A token proves that this app
 * rendered that form for that subject a short while ago: it cannot be forged without the secret,
 * cannot be used for another purpose or subject, and stops working at the expiry. Time is an input
 * (`now`), never read here.
 */
const VERSION = 'v1';
const FORMAT = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export interface CreateSignedFormTokenOptions {
  /** Which form, e.g. `saas-fulfillment/landing-activate`; a token of one purpose never passes for another. */
  purpose: string;
  subject: string;
  secret: string;
  now: Date;
  ttlSeconds: number;
}

export interface VerifySignedFormTokenOptions {
  purpose: string;
  token: string;
  subject: string;
  secret: string;
  now: Date;
}

export type FormTokenCheck =
  | { ok: true; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'badSignature' | 'expired' };

function sign(purpose: string, secret: string, subject: string, expires: number): Buffer {
  if (secret === '') throw new TypeError('The form token secret must not be empty');
  return createHmac('sha256', secret).update(`${purpose}\n${VERSION}\n${subject}\n${expires}`, 'utf8').digest();
}

export function createSignedFormToken({ purpose, subject, secret, now, ttlSeconds }: CreateSignedFormTokenOptions): string {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
  return `${VERSION}.${expires}.${sign(purpose, secret, subject, expires).toString('base64url')}`;
}

/** Checks the signature (in constant time) before the expiry, so a forged token never learns more. */
export function verifySignedFormToken({ purpose, token, subject, secret, now }: VerifySignedFormTokenOptions): FormTokenCheck {
  const match = FORMAT.exec(token);
  if (match === null) return { ok: false, reason: 'malformed' };
  const expires = Number(match[1]);
  const received = Buffer.from(match[2] ?? '', 'base64url');
  const expected = sign(purpose, secret, subject, expires);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return { ok: false, reason: 'badSignature' };
  if (Math.floor(now.getTime() / 1000) >= expires) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt: new Date(expires * 1000) };
}
