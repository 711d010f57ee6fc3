import { createSignedFormToken, verifySignedFormToken, type FormTokenCheck } from '../web/formToken';
import type { Operator } from './access';

/** A console form stays valid this long (the anti-forgery token expires with it). */
export const ACTION_TOKEN_TTL_SECONDS = 30 * 60;
const ACTION_PURPOSE = 'saas-fulfillment/console-action';
const NOTICE_PURPOSE = 'saas-fulfillment/console-notice';
const NOTICE_TTL_SECONDS = 10 * 60;

/**
 * The anti-forgery token of one console form (the landing page's HMAC form tokens, shared/web): bound
 * to the operator and to the exact path the form posts to, so it cannot be replayed by someone else
 * or on another subscription or action.
 */
export function actionToken(secret: string, operator: Pick<Operator, 'id'>, actionPath: string, now: Date): string {
  return createSignedFormToken({ purpose: ACTION_PURPOSE, subject: `${operator.id}\n${actionPath}`, secret, now, ttlSeconds: ACTION_TOKEN_TTL_SECONDS });
}

export function checkActionToken(secret: string, operator: Pick<Operator, 'id'>, actionPath: string, token: string, now: Date): FormTokenCheck {
  return verifySignedFormToken({ purpose: ACTION_PURPOSE, token, subject: `${operator.id}\n${actionPath}`, secret, now });
}

/**
 * A short message carried by the redirect after a POST (`?notice=`), signed so that a link cannot
 * make the console show text it never wrote.
 */
export function signNotice(secret: string, text: string, now: Date): string {
  const payload = Buffer.from(text.slice(0, 600), 'utf8').toString('base64url');
  return `${payload}.${createSignedFormToken({ purpose: NOTICE_PURPOSE, subject: payload, secret, now, ttlSeconds: NOTICE_TTL_SECONDS })}`;
}

export function readNotice(secret: string, value: string | null, now: Date): string | undefined {
  if (value === null) return undefined;
  const dot = value.indexOf('.');
  if (dot < 1) return undefined;
  const payload = value.slice(0, dot);
  const check = verifySignedFormToken({ purpose: NOTICE_PURPOSE, token: value.slice(dot + 1), subject: payload, secret, now });
  return check.ok ? Buffer.from(payload, 'base64url').toString('utf8') : undefined;
}
