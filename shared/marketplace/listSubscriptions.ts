import { type ClientContext, malformed } from './clientContext';
import { type ResponseIds, parseBody } from './responses';
import { type MarketplaceSubscription, type SubscriptionPage, subscriptionPageSchema } from './schemas/subscription';
import { type UnparseableItem } from './schemas/lenient';
import { type MarketplaceCallOptions } from './transport';

export interface ListSubscriptionsOptions extends MarketplaceCallOptions {
  /**
   * Told about each listed item that does not parse (its id when it has one, the failing paths,
   * never the values). Such an item is skipped; the rest of the page is still yielded.
   */
  onUnparseable?: (item: UnparseableItem) => void;
}

const LIST_PATH = '/saas/subscriptions';

/**
 * Reads every page lazily. All pages share one correlation id. `@nextLink` is followed as is
 * (after the allow-list check); a bare `continuationToken` (in `@nextLink` or on its own) is put
 * on the list URL. A link that repeats an earlier page ends with a malformedResponse error. An item
 * that does not parse is reported to `onUnparseable` and skipped: it never fails its page.
 */
export async function* listSubscriptions(
  ctx: ClientContext,
  options: ListSubscriptionsOptions = {},
): AsyncGenerator<MarketplaceSubscription, void, undefined> {
  const { onUnparseable, ...rest } = options;
  const callOptions = { ...rest, correlationId: options.correlationId ?? ctx.newId() };
  const seen = new Set<string>();
  let url: URL | undefined = ctx.urls.build(LIST_PATH);
  while (url) {
    seen.add(url.href);
    const response = await ctx.send({ operation: 'listSubscriptions', method: 'GET', url, retry: 'safe' }, callOptions);
    const page = parseBody(response, subscriptionPageSchema, 'listSubscriptions', () => ({ subscriptions: [], unparseable: [] }));
    for (const item of page.unparseable) onUnparseable?.(item);
    yield* page.subscriptions;
    url = nextPageUrl(ctx, page, response.ids);
    if (url && seen.has(url.href)) throw malformed('listSubscriptions', '@nextLink points at a page already read', response.ids);
  }
}

function nextPageUrl(ctx: ClientContext, page: SubscriptionPage, ids: ResponseIds): URL | undefined {
  const link = page.nextLink;
  if (link !== undefined && (/^https?:\/\//i.test(link) || link.startsWith('/'))) {
    let parsed: URL;
    try {
      parsed = new URL(link, ctx.urls.build(LIST_PATH));
    } catch {
      throw malformed('listSubscriptions', '@nextLink is not a valid URL', ids);
    }
    return ctx.urls.follow(parsed.href);
  }
  const continuationToken = link ?? page.continuationToken;
  return continuationToken === undefined ? undefined : ctx.urls.build(LIST_PATH, { continuationToken });
}
