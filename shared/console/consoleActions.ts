import type { HttpResponseInit } from '@azure/functions';
import { changeDeps, reconcileDeps, subscriptionIdParam } from '../admin';
import { NotFoundError, ValidationError } from '../errors';
import { checkQueueName, replayPoisonMessages } from '../operations/poisonQueue';
import { requestPublisherChange, type PublisherChange } from '../publisherOperations';
import { reconcileSubscriptions } from '../reconciliation';
import { searchTerms } from '../storage';
import { markup } from '../web/markup';
import { redirect } from '../web/page';
import { readFormBody } from '../web/readFormBody';
import { ADMIN_ROLE, CONSOLE_BASE, createDevSession, DEV_SESSION_COOKIE, DEV_SESSION_TTL_SECONDS, READER_ROLE, safeReturnTo, type Operator } from './access';
import type { ConsoleDeps } from './consoleDependencies';
import { actionToken, checkActionToken, signNotice } from './formTokens';
import { renderConsolePage } from './layout';
import { reconcileSummary, signInBody } from './otherPages';
import type { ConsoleRequest } from './serveConsole';
import { subscriptionPath } from './subscriptionPage';
import { SUBSCRIPTIONS_PATH } from './subscriptionsPage';

const SIGN_IN_SUBJECT: Pick<Operator, 'id'> = { id: '(signing in)' };

function refused(deps: ConsoleDeps, operator: Operator | undefined, reason: 'expired' | 'invalid', back: string): HttpResponseInit {
  const title = reason === 'expired' ? 'This form has expired' : 'This request could not be verified';
  return renderConsolePage(operator, {
    status: 403,
    title,
    development: deps.settings.auth === 'development',
    body: markup`<p class="status status-error" role="alert">Nothing was changed. Open the page again and repeat the action.</p><p><a href="${back}">Back</a></p>`,
  });
}

/** `path?notice=…`: the redirect after a POST, with a signed line saying what happened. */
function back(deps: ConsoleDeps, path: string, notice: string, name = 'notice'): HttpResponseInit {
  const separator = path.includes('?') ? '&' : '?';
  return redirect(303, `${path}${separator}${name}=${encodeURIComponent(signNotice(deps.settings.formSecret ?? '', notice, deps.admin.clock.now()))}`);
}

function changeOf(action: string, form: URLSearchParams): PublisherChange {
  if (action === 'plan') {
    const planId = form.get('planId')?.trim();
    if (!planId) throw new ValidationError('Choose a plan', ['planId: required']);
    return { action: 'ChangePlan', planId };
  }
  if (action === 'seats') {
    const quantity = Number(form.get('quantity'));
    if (!Number.isSafeInteger(quantity) || quantity < 1) throw new ValidationError('Enter the number of seats', ['quantity: must be a whole number of at least 1']);
    return { action: 'ChangeQuantity', quantity };
  }
  return { action: 'Unsubscribe' };
}

/**
 * POST below /api/console, for an operator with the admin role: checks the anti-forgery token bound
 * to the operator and this exact path, acts through the admin use cases, writes who did it, and
 * answers 303 to the page that shows the outcome.
 */
export async function performAction(deps: ConsoleDeps, operator: Operator, segments: readonly string[], request: ConsoleRequest): Promise<HttpResponseInit> {
  const path = `${CONSOLE_BASE}/${segments.map(encodeURIComponent).join('/')}`;
  const form = await readFormBody(request);
  const formToken = form?.get('formToken');
  if (form === undefined || !formToken) return refused(deps, operator, 'invalid', CONSOLE_BASE);
  const check = checkActionToken(deps.settings.formSecret ?? '', operator, path, formToken, deps.admin.clock.now());
  if (!check.ok) return refused(deps, operator, check.reason === 'expired' ? 'expired' : 'invalid', CONSOLE_BASE);
  const by = `${operator.name} (console)`;
  const log = deps.logger.child({ operatorId: operator.id, action: path });
  const [first, second, third] = segments;

  if (first === 'subscriptions' && second !== undefined && (third === 'plan' || third === 'seats' || third === 'cancel')) {
    const id = subscriptionIdParam(second);
    let result;
    try {
      result = await requestPublisherChange(changeDeps(deps.admin, log), id, changeOf(third, form), { requestedBy: by });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return back(deps, subscriptionPath(id), `Not sent to Microsoft: ${[error.message, ...error.issues].join('; ')}`);
    }
    log.info('console change requested', { subscriptionId: id, outcome: result.outcome, requestId: result.operation.id });
    return redirect(303, `${subscriptionPath(id)}?request=${encodeURIComponent(result.operation.id)}#tracking`);
  }
  if (first === 'subscriptions' && second === 'reindex' && third === undefined) {
    let count = 0;
    let token: string | undefined;
    do {
      const page = await deps.admin.subscriptions.list({ pageSize: 1_000, continuationToken: token });
      await deps.searchIndex.putMany(page.items.map(({ value }) => ({ subscriptionId: value.id, terms: searchTerms(value) })));
      count += page.items.length;
      token = page.continuationToken;
    } while (token !== undefined);
    log.info('console search index rebuilt', { count });
    return back(deps, SUBSCRIPTIONS_PATH, `Search index rebuilt for ${count} subscription(s) by ${operator.name}.`);
  }
  if (first === 'poison' && second !== undefined && third === 'replay') {
    const queue = checkQueueName(second);
    const messageId = form.get('messageId')?.trim();
    const result = await replayPoisonMessages(deps.poison, queue, messageId ? { messageIds: [messageId] } : {});
    log.info('console poison replay', { queue, replayed: result.replayed.length, notFound: result.notFound.length });
    const text = `${operator.name} replayed ${result.replayed.length} message(s) of ${result.poisonQueue}${result.notFound.length > 0 ? `; not found (already replayed?): ${result.notFound.join(', ')}` : ''}.`;
    return back(deps, `${CONSOLE_BASE}/poison`, text);
  }
  if (first === 'reconcile' && second === undefined) {
    const report = await reconcileSubscriptions(reconcileDeps(deps.admin, log));
    log.info('console reconciliation run', { runId: report.runId, repaired: report.repaired, failed: report.failed });
    return back(deps, `${CONSOLE_BASE}/reconcile`, `Started by ${operator.name}. ${reconcileSummary(report)}`, 'result');
  }
  throw new NotFoundError('Action', segments.join('/'));
}

/** The development sign-in (CONSOLE_AUTH=development, loopback only): a name, a role, a signed cookie. */
export async function serveSignIn(deps: ConsoleDeps, request: ConsoleRequest, what: 'signin' | 'signout', post: boolean): Promise<HttpResponseInit> {
  const secret = deps.settings.formSecret ?? '';
  const now = deps.admin.clock.now();
  const cookie = (value: string, maxAge: number) => ({ name: DEV_SESSION_COOKIE, value, path: CONSOLE_BASE, httpOnly: true, sameSite: 'Strict' as const, maxAge });
  if (what === 'signout') {
    if (!post) throw new NotFoundError('Page', 'signout');
    return { ...redirect(303, `${CONSOLE_BASE}/signin`), cookies: [cookie('', 0)] };
  }
  if (!post) {
    const returnTo = safeReturnTo(new URL(request.url, 'http://localhost').searchParams.get('returnTo'));
    return renderConsolePage(undefined, { title: 'Sign in to the console', development: true, body: signInBody(actionToken(secret, SIGN_IN_SUBJECT, `${CONSOLE_BASE}/signin`, now), returnTo) });
  }
  const form = await readFormBody(request);
  const token = form?.get('formToken');
  const check = token ? checkActionToken(secret, SIGN_IN_SUBJECT, `${CONSOLE_BASE}/signin`, token, now) : undefined;
  if (form === undefined || check === undefined || !check.ok) return refused(deps, undefined, check?.ok === false && check.reason === 'expired' ? 'expired' : 'invalid', `${CONSOLE_BASE}/signin`);
  const name = form.get('name')?.trim().slice(0, 80) ?? '';
  const role = form.get('role') === READER_ROLE ? READER_ROLE : ADMIN_ROLE;
  if (name === '') throw new ValidationError('Enter your name', ['name: required (it goes into the history of what you change)']);
  return { ...redirect(303, safeReturnTo(form.get('returnTo'))), cookies: [cookie(createDevSession({ name, role }, secret, now), DEV_SESSION_TTL_SECONDS)] };
}
