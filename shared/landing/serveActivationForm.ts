import type { HttpResponseInit } from '@azure/functions';
import { DependencyUnavailableError } from '../errors';
import type { Logger } from '../logging';
import { confirmActivation } from './confirmActivation';
import type { LandingDeps } from './landingDependencies';
import { renderMessagePage } from './landingViews';
import type { PageChrome } from './pageLayout';
import { readFormBody, type FormBodyRequest } from '../web/readFormBody';
import { chromeFor, DEFAULT_CHROME, redirect, type LandingRequest } from './serveLandingPage';
import { signInLocation } from './signedInUser';

export type ActivationFormRequest = LandingRequest & FormBodyRequest;

/** The landing page's URL for `purchaseToken`, next to the form's `/activate` path. */
function pageUrlFor(formUrl: string, purchaseToken: string | undefined): string | undefined {
  if (purchaseToken === undefined || purchaseToken === '') return undefined;
  const path = new URL(formUrl, 'http://localhost').pathname.replace(/\/activate\/?$/i, '');
  return `${path}?token=${encodeURIComponent(purchaseToken)}`;
}

/**
 * POST /api/landing/activate (confirm mode): verifies the signed form token, queues the activation
 * and answers 303 back to the landing page, which then shows the pending state. A refused form
 * changes nothing and gets a 403 page with a way back.
 */
export async function serveActivationForm(load: () => LandingDeps, request: ActivationFormRequest, fallbackLogger: Logger): Promise<HttpResponseInit> {
  let chrome: PageChrome = DEFAULT_CHROME;
  let logger = fallbackLogger;
  let pageUrl: string | undefined;
  try {
    const deps = load();
    logger = deps.logger;
    chrome = chromeFor(deps, request.headers);
    const secret = deps.settings.formSecret;
    if (secret === undefined) return renderMessagePage(chrome, { kind: 'notFound' });
    const form = await readFormBody(request);
    pageUrl = pageUrlFor(request.url, form?.get('token') ?? undefined);
    if (deps.settings.requireSignIn && chrome.user === undefined) return redirect(302, signInLocation(pageUrl ?? request.url));
    const subscriptionId = form?.get('subscriptionId');
    const formToken = form?.get('formToken');
    if (!subscriptionId || !formToken) return renderMessagePage(chrome, { kind: 'formRejected', pageUrl });
    const outcome = await confirmActivation(deps, { subscriptionId, formToken, secret });
    if (outcome.kind === 'rejected') return renderMessagePage(chrome, { kind: outcome.reason === 'expired' ? 'formExpired' : 'formRejected', pageUrl });
    if (outcome.kind === 'notFound') return renderMessagePage(chrome, { kind: 'formRejected', pageUrl });
    logger.info('activation form accepted', { subscriptionId, outcome: outcome.kind });
    return pageUrl === undefined ? renderMessagePage(chrome, { kind: 'missingToken' }) : redirect(303, pageUrl);
  } catch (error) {
    const unavailable = error instanceof DependencyUnavailableError;
    logger[unavailable ? 'warn' : 'error']('activation form failed', { error, invocationId: request.invocationId });
    if (unavailable && pageUrl !== undefined) return renderMessagePage(chrome, { kind: 'unavailable', retryUrl: pageUrl });
    return renderMessagePage(chrome, { kind: 'error', invocationId: request.invocationId });
  }
}
