import type { HttpResponseInit } from '@azure/functions';
import { DependencyUnavailableError } from '../errors';
import type { Logger } from '../logging';
import { createFormToken } from './formToken';
import type { LandingDeps } from './landingDependencies';
import { renderMessagePage } from './landingViews';
import { openLandingPage } from './openLandingPage';
import type { PageChrome } from './pageLayout';
import { summarizePlan } from './planSummary';
import { readPurchaseToken } from './purchaseToken';
import { redirect } from '../web/page';
import { readSignedInUser, signInLocation } from './signedInUser';
import { renderSubscriptionPage, type ActivateForm } from './subscriptionPage';

export interface LandingRequest {
  url: string;
  headers: Headers;
  invocationId: string;
}

/** Used when the settings themselves cannot be read. */
export const DEFAULT_CHROME: PageChrome = { productName: 'Your subscription' };

export { redirect } from '../web/page';

/** Path and query of `url`, as received (the token's percent-encoding untouched). */
export function relativeUrl(url: string): string {
  const parsed = new URL(url, 'http://localhost');
  return `${parsed.pathname}${parsed.search}`;
}

export function chromeFor(deps: LandingDeps, headers: Headers): PageChrome {
  const { settings } = deps;
  return { productName: settings.productName, supportUrl: settings.supportUrl, user: readSignedInUser(headers, { trusted: settings.easyAuth }) };
}

/**
 * GET /api/landing?token=…: sign-in check, token, Resolve and the page. Never throws and never shows
 * internals: a failure becomes the 503 page (a dependency is down) or the 500 page with the
 * invocation id, and is logged in full.
 */
export async function serveLandingPage(load: () => LandingDeps, request: LandingRequest, fallbackLogger: Logger): Promise<HttpResponseInit> {
  let chrome = DEFAULT_CHROME;
  let logger = fallbackLogger;
  try {
    const deps = load();
    logger = deps.logger;
    chrome = chromeFor(deps, request.headers);
    if (deps.settings.requireSignIn && chrome.user === undefined) return redirect(302, signInLocation(request.url));
    const token = readPurchaseToken(request.url);
    if (token.kind !== 'present') return renderMessagePage(chrome, { kind: token.kind === 'missing' ? 'missingToken' : 'invalidToken' });
    const outcome = await openLandingPage(deps, { purchaseToken: token.token, mode: deps.settings.activationMode });
    const pageUrl = relativeUrl(request.url);
    if (outcome.kind === 'invalidToken') return renderMessagePage(chrome, { kind: 'invalidToken' });
    if (outcome.kind === 'unavailable') return renderMessagePage(chrome, { kind: 'unavailable', retryUrl: pageUrl });
    const { record, subscription } = outcome;
    const plan = summarizePlan(outcome.plan, { planId: record.planId, quantity: record.quantity, termUnit: subscription.term?.termUnit ?? record.term.termUnit });
    const form = outcome.state === 'confirm' ? activateForm(deps, request.url, record.id, token.token) : undefined;
    return renderSubscriptionPage(chrome, { state: outcome.state, record, subscription, plan, pageUrl, form });
  } catch (error) {
    const unavailable = error instanceof DependencyUnavailableError;
    logger[unavailable ? 'warn' : 'error']('landing page failed', { error, invocationId: request.invocationId });
    if (unavailable) return renderMessagePage(chrome, { kind: 'unavailable', retryUrl: relativeUrl(request.url) });
    return renderMessagePage(chrome, { kind: 'error', invocationId: request.invocationId });
  }
}

function activateForm(deps: LandingDeps, url: string, subscriptionId: string, purchaseToken: string): ActivateForm {
  const { formSecret, formTokenTtlSeconds } = deps.settings;
  if (formSecret === undefined) throw new TypeError('confirm mode needs LANDING_FORM_SECRET (checked by loadConfig)');
  const formToken = createFormToken({ subscriptionId, secret: formSecret, now: deps.clock.now(), ttlSeconds: formTokenTtlSeconds });
  const action = `${new URL(url, 'http://localhost').pathname.replace(/\/+$/, '')}/activate`;
  return { action, subscriptionId, formToken, purchaseToken };
}
