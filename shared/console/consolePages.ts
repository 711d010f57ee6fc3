import type { HttpResponseInit } from '@azure/functions';
import { subscriptionIdParam } from '../admin';
import { NotFoundError, ValidationError } from '../errors';
import { QUEUE_NAMES } from '../storage';
import { markup } from '../web/markup';
import { CONSOLE_BASE, type Operator } from './access';
import type { ConsoleDeps } from './consoleDependencies';
import { loadOverview, loadPlans, loadSubscription, loadUsage, MAX_LOG_ROWS, poisonListings, recentOperations } from './consoleReads';
import { actionToken, readNotice } from './formTokens';
import { renderConsolePage, type ConsolePage } from './layout';
import { operationsBody, plansBody, poisonBody, reconcileBody, usageBody } from './otherPages';
import { overviewBody } from './overviewPage';
import { parseSubscriptionQuery, searchSubscriptions } from './searchSubscriptions';
import { confirmationBody, subscriptionBody, subscriptionPath, type ConsoleAction } from './subscriptionPage';
import { subscriptionsBody, SUBSCRIPTIONS_PATH } from './subscriptionsPage';

/** A page that follows a tracked change reloads itself this often until the change is final. */
export const TRACKING_REFRESH_SECONDS = 3;
const HOUR_MS = 3_600_000;
const ACTIONS: ReadonlySet<string> = new Set(['plan', 'seats', 'cancel']);

/** GET below /api/console: the pages. */
export async function consoleGet(deps: ConsoleDeps, operator: Operator, segments: readonly string[], request: { url: string }): Promise<HttpResponseInit> {
  const query = new URL(request.url, 'http://localhost').searchParams;
  const secret = deps.settings.formSecret ?? '';
  const now = deps.admin.clock.now();
  const token = (path: string): string | undefined => (operator.canAct ? actionToken(secret, operator, path, now) : undefined);
  const page = (content: Omit<ConsolePage, 'development' | 'notice'>): HttpResponseInit =>
    renderConsolePage(operator, { ...content, development: deps.settings.auth === 'development', notice: readNotice(secret, query.get('notice'), now) });
  const [first, second, third, ...rest] = segments;
  if (rest.length > 0) throw new NotFoundError('Page', segments.join('/'));

  if (first === undefined) return page({ title: 'Overview', section: 'overview', body: overviewBody(await loadOverview(deps)) });
  if (first === 'subscriptions' && second === undefined) {
    const subscriptionQuery = parseSubscriptionQuery(query);
    const results = await searchSubscriptions({ subscriptions: deps.admin.subscriptions, searchIndex: deps.searchIndex }, subscriptionQuery);
    return page({ title: 'Subscriptions', section: 'subscriptions', body: subscriptionsBody({ query: subscriptionQuery, results, reindexToken: token(`${SUBSCRIPTIONS_PATH}/reindex`) }) });
  }
  if (first === 'subscriptions' && second !== undefined && third === undefined) {
    const view = await loadSubscription(deps, subscriptionIdParam(second), query.get('request'), operator.canAct);
    const tracking = view.tracking !== undefined && !view.tracking.done;
    const title = view.detail.subscription.name || view.detail.subscription.id;
    return page({ title, section: 'subscriptions', body: subscriptionBody(view), refreshSeconds: tracking ? TRACKING_REFRESH_SECONDS : undefined });
  }
  if (first === 'subscriptions' && second !== undefined && third !== undefined && ACTIONS.has(third)) {
    return confirmPage(deps, operator, subscriptionIdParam(second), third as ConsoleAction, query, page);
  }
  if (first === 'operations' && second === undefined) {
    const hours = [1, 24, 72, 168].includes(Number(query.get('hours'))) ? Number(query.get('hours')) : 24;
    const failedOnly = query.get('failed') === '1';
    const { items, truncated } = await recentOperations(deps, { since: new Date(now.getTime() - hours * HOUR_MS), failedOnly, max: MAX_LOG_ROWS });
    return page({ title: 'Operations', section: 'operations', body: operationsBody({ operations: items, failedOnly, hours, truncated }) });
  }
  if (first === 'poison' && second === undefined) {
    const listings = await poisonListings(deps);
    const ids = [...new Set(listings.flatMap((l) => l.messages.flatMap((m) => ('body' in m && typeof (m.body as { subscriptionId?: unknown })?.subscriptionId === 'string' ? [(m.body as { subscriptionId: string }).subscriptionId] : []))))];
    const records = await Promise.all(ids.slice(0, 50).map((id) => deps.admin.subscriptions.get(id).catch(() => undefined)));
    const errors = Object.fromEntries(records.flatMap((r) => (r?.value.lastError ? [[r.value.id, `${r.value.lastError.code}: ${r.value.lastError.message}`]] : [])));
    const tokens = operator.canAct ? Object.fromEntries(Object.values(QUEUE_NAMES).map((q) => [q, token(`${CONSOLE_BASE}/poison/${q}/replay`) ?? ''])) : undefined;
    return page({ title: 'Poison queues', section: 'poison', body: poisonBody(listings, tokens, errors) });
  }
  if (first === 'usage' && second === undefined) {
    const { report, pending } = await loadUsage(deps, query);
    return page({ title: 'Usage', section: 'usage', body: usageBody(query.get('subscriptionId') ?? undefined, report, pending) });
  }
  if (first === 'plans' && second === undefined) {
    const { plans, more } = await loadPlans(deps.admin.plans);
    return page({ title: 'Plans', section: 'plans', body: plansBody(plans, more) });
  }
  if (first === 'reconcile' && second === undefined) {
    return page({ title: 'Reconcile now', section: 'reconcile', body: reconcileBody(token(`${CONSOLE_BASE}/reconcile`), readNotice(secret, query.get('result'), now)) });
  }
  throw new NotFoundError('Page', segments.join('/'));
}

async function confirmPage(
  deps: ConsoleDeps,
  operator: Operator,
  id: string,
  action: ConsoleAction,
  query: URLSearchParams,
  page: (content: Omit<ConsolePage, 'development' | 'notice'>) => HttpResponseInit,
): Promise<HttpResponseInit> {
  const stored = await deps.admin.subscriptions.get(id);
  if (stored === undefined) throw new NotFoundError('Subscription', id);
  const s = stored.value;
  const path = subscriptionPath(id, action);
  const target: { planId?: string; planName?: string; quantity?: number } = {};
  if (action === 'plan') {
    target.planId = query.get('planId')?.trim() || undefined;
    if (target.planId === undefined) throw new ValidationError('Choose a plan', ['planId: required']);
    target.planName = (await deps.admin.plans.get(s.offerId, target.planId))?.displayName;
  }
  if (action === 'seats') {
    const quantity = Number(query.get('quantity'));
    if (!Number.isSafeInteger(quantity) || quantity < 1) throw new ValidationError('Enter the number of seats', ['quantity: must be a whole number of at least 1']);
    target.quantity = quantity;
  }
  if (!operator.canAct) {
    return page({ title: 'You need the Console.Admin role', section: 'subscriptions', status: 403, body: markup`<p class="status status-error" role="alert">Changing a subscription needs the Console.Admin app role.</p>` });
  }
  return page({ title: 'Confirm the change', section: 'subscriptions', body: confirmationBody(action, s, target, actionToken(deps.settings.formSecret ?? '', operator, path, deps.admin.clock.now())) });
}
