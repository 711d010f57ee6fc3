import { SUBSCRIPTION_STATUSES, type SubscriptionRecord } from '../subscription/model';
import { markup, type SafeHtml } from '../web/markup';
import { CONSOLE_BASE } from './access';
import { cells, subscriptionLink, table, tokenField, when } from './layout';
import type { SubscriptionQuery, SubscriptionResults } from './searchSubscriptions';

export const SUBSCRIPTIONS_PATH = `${CONSOLE_BASE}/subscriptions`;

function queryString(query: SubscriptionQuery, next?: string): string {
  const params = new URLSearchParams();
  for (const name of ['q', 'offerId', 'planId', 'status'] as const) if (query[name] !== undefined) params.set(name, query[name]);
  if (next !== undefined) params.set('next', next);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function filterForm(query: SubscriptionQuery): SafeHtml {
  const options = SUBSCRIPTION_STATUSES.map((status) => markup`<option value="${status}"${query.status === status ? markup` selected` : ''}>${status}</option>`);
  return markup`<form class="filters" method="get" action="${SUBSCRIPTIONS_PATH}" role="search">
<label for="q">Search (id, name, buyer e-mail or tenant)<input id="q" name="q" type="search" value="${query.q ?? ''}" maxlength="200" size="32"></label>
<label for="offerId">Offer<input id="offerId" name="offerId" value="${query.offerId ?? ''}" maxlength="200" size="14"></label>
<label for="planId">Plan<input id="planId" name="planId" value="${query.planId ?? ''}" maxlength="200" size="12"></label>
<label for="status">Status<select id="status" name="status"><option value="">Any</option>${options}</select></label>
<button type="submit">Search</button>
</form>`;
}

function row(record: SubscriptionRecord): SafeHtml {
  return cells(
    subscriptionLink(record.id, record.name || record.id),
    markup`<code>${record.id}</code>`,
    record.offerId,
    record.planId,
    record.quantity === undefined ? '' : String(record.quantity),
    record.status,
    record.purchaser?.emailId ?? record.beneficiary?.emailId,
    when(record.updatedAt),
  );
}

export interface SubscriptionsView {
  query: SubscriptionQuery;
  results: SubscriptionResults;
  /** The admin's re-index form token (absent for readers). */
  reindexToken?: string;
}

export function subscriptionsBody(view: SubscriptionsView): SafeHtml {
  const { query, results } = view;
  const how =
    results.plan === 'search'
      ? 'Names, words of names, e-mail addresses, e-mail domains, tenant ids and ids that start with the text.'
      : results.plan === 'id'
        ? 'The subscription with this id.'
        : 'Every stored subscription matching the filters, ordered by id.';
  const pager = markup`<nav class="pager" aria-label="Pages">${query.next !== undefined && markup`<a href="${SUBSCRIPTIONS_PATH}${queryString(query)}">First page</a>`}${
    results.next !== undefined && markup`<a href="${SUBSCRIPTIONS_PATH}${queryString(query, results.next)}" rel="next">Next page</a>`
  }</nav>`;
  const reindex =
    view.reindexToken &&
    markup`<form class="inline" method="post" action="${SUBSCRIPTIONS_PATH}/reindex">${tokenField(view.reindexToken)}<button class="secondary" type="submit">Rebuild the search index</button></form>
<p class="muted">Needed once for subscriptions stored before the console existed; every later write keeps the index in step.</p>`;
  return markup`${filterForm(query)}
<p class="muted">${how}</p>
${table('Subscriptions', ['Name', 'Id', 'Offer', 'Plan', 'Seats', 'Status', 'Buyer', 'Updated'], results.items.map(row), results.next === undefined ? 'No subscription matches.' : 'No match on this page; there are more pages.')}
${pager}${reindex}`;
}
