import { createSignedFormToken, verifySignedFormToken, type FormTokenCheck } from '../web/formToken';

export type { FormTokenCheck } from '../web/formToken';

/**
 * The token of the landing page's Activate form (shared/web/formToken.ts), keyed with
 * LANDING_FORM_SECRET and bound to one subscription.
 */
const PURPOSE = 'saas-fulfillment/landing-activate';

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

export function createFormToken({ subscriptionId, ...options }: CreateFormTokenOptions): string {
  return createSignedFormToken({ purpose: PURPOSE, subject: subscriptionId, ...options });
}

export function verifyFormToken({ subscriptionId, ...options }: VerifyFormTokenOptions): FormTokenCheck {
  return verifySignedFormToken({ purpose: PURPOSE, subject: subscriptionId, ...options });
}
