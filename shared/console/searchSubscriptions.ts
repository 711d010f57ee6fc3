import { z } from 'zod';
import { ValidationError } from '../errors';
import { formatIssues } from '../http/readJsonBody';
import { matchesSearch, MIN_QUERY_LENGTH, normalizeSearchText, type SubscriptionSearchIndex, type SubscriptionStore } from '../storage';
import { SUBSCRIPTION_STATUSES, type SubscriptionRecord } from '../subscription/model';

export const CONSOLE_PAGE_SIZE = 50;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const optionalText = z
  .string()
  .trim()
  .max(200, 'must be at most 200 characters')
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** The query string of the subscriptions page; empty fields of the filter form mean "any". */
export const subscriptionQuerySchema = z.object({
  q: optionalText,
  offerId: optionalText,
  planId: optionalText,
  status: z
    .union([z.literal(''), z.enum(SUBSCRIPTION_STATUSES, { error: `must be one of ${SUBSCRIPTION_STATUSES.join(', ')}` })])
    .transform((value) => (value === '' ? undefined : value))
    .optional(),
  next: z.string().max(4_096).optional(),
});
export type SubscriptionQuery = z.output<typeof subscriptionQuerySchema>;

export function parseSubscriptionQuery(query: URLSearchParams): SubscriptionQuery {
  const result = subscriptionQuerySchema.safeParse(Object.fromEntries(query));
  if (!result.success) throw new ValidationError('Invalid search', formatIssues(result.error.issues));
  const q = result.data.q;
  if (q !== undefined && normalizeSearchText(q).length < MIN_QUERY_LENGTH) throw new ValidationError('Invalid search', [`q: type at least ${MIN_QUERY_LENGTH} characters`]);
  return result.data;
}

export interface SubscriptionResults {
  /** `id`: one point read; `search`: the search index; `list`: the table, filtered, in id order. */
  plan: 'id' | 'search' | 'list';
  items: SubscriptionRecord[];
  /** Token of the next page, when more may follow. */
  next?: string;
}

export interface SearchDeps {
  subscriptions: Pick<SubscriptionStore, 'get' | 'list'>;
  searchIndex: Pick<SubscriptionSearchIndex, 'search'>;
}

function passesFilters(record: SubscriptionRecord, query: SubscriptionQuery): boolean {
  return (
    (query.status === undefined || record.status === query.status) &&
    (query.offerId === undefined || record.offerId === query.offerId) &&
    (query.planId === undefined || record.planId === query.planId)
  );
}

/**
 * The query plan of the subscriptions page; each page costs a bounded number of round trips
 * whatever the number of stored subscriptions:
 * - a whole subscription id: one point read;
 * - any other text: one RowKey range query on the search index (only matching rows are read), then
 *   one point read per distinct subscription of the page, in parallel, each re-checked against the
 *   text and the filters (index rows may be stale);
 * - no text: the subscriptions table filtered by offer, plan and status, one page from the
 *   continuation token (a deep page costs what the first costs: the token points into the table).
 */
export async function searchSubscriptions(deps: SearchDeps, query: SubscriptionQuery): Promise<SubscriptionResults> {
  const q = query.q === undefined ? undefined : normalizeSearchText(query.q);
  if (q !== undefined && GUID.test(q)) {
    const found = await deps.subscriptions.get(q);
    return { plan: 'id', items: found !== undefined && passesFilters(found.value, query) ? [found.value] : [] };
  }
  if (q !== undefined) {
    const page = await deps.searchIndex.search(q, { pageSize: CONSOLE_PAGE_SIZE, continuationToken: query.next });
    const ids = [...new Set(page.items.map((hit) => hit.subscriptionId))];
    const records = await Promise.all(ids.map((id) => deps.subscriptions.get(id)));
    const items = records.flatMap((found) => (found !== undefined && matchesSearch(found.value, q) && passesFilters(found.value, query) ? [found.value] : []));
    return page.continuationToken === undefined ? { plan: 'search', items } : { plan: 'search', items, next: page.continuationToken };
  }
  const page = await deps.subscriptions.list({ status: query.status, offerId: query.offerId, planId: query.planId, pageSize: CONSOLE_PAGE_SIZE, continuationToken: query.next });
  const items = page.items.map((item) => item.value);
  return page.continuationToken === undefined ? { plan: 'list', items } : { plan: 'list', items, next: page.continuationToken };
}
