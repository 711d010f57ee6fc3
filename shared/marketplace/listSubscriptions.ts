import { type ClientContext, malformed } from './clientContext';
import { type ResponseIds, parseBody } from './responses';
import { type MarketplaceSubscription, type SubscriptionPage, subscriptionPageSchema } from './schemas/subscription';
import { type MarketplaceCallOptions } from './transport';

const LIST_PATH = '/saas/subscriptions';

/**
 * Reads every page lazily. All pages share one correlation id. `@nextLink` is followed as is
 * (after the allow-list check); a bare `continuationToken` (in `@nextLink` or on its own) is put
 * on the list URL. A link that repeats an earlier page ends with a malformedResponse error.
 */
export async function* listSubscriptions(
  ctx: ClientContext,
  options: MarketplaceCallOptions = {},
): AsyncGenerator<MarketplaceSubscription, void, undefined> {
  const callOptions = { ...options, correlationId: options.correlationId ?? ctx.newId() };
  const seen = new Set<string>();
  let url: URL | undefined = ctx.urls.build(LIST_PATH);
  while (url) {
    seen.add(url.href);
    const response = await ctx.send({ operation: 'listSubscriptions', method: 'GET', url, retry: 'safe' }, callOptions);
    const page = parseBody(response, subscriptionPageSchema, 'listSubscriptions', () => ({ subscriptions: [] }));
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
