import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAdminDependencies, listSubscriptionPage, parseListQuery, type AdminDependencies } from '../shared/admin';
import { json, toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';

/** GET /api/subscriptions?status&offerId&planId&isTest&pageSize&continuationToken: stored subscriptions, a page at a time. */
export function createListSubscriptionsHandler(getDeps: () => Pick<AdminDependencies, 'subscriptions' | 'logger'>) {
  return async function listSubscriptions(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps();
      logger = deps.logger(context);
      return json(200, await listSubscriptionPage(deps, parseListQuery(request.query)));
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('listSubscriptions', { route: 'subscriptions', methods: ['GET'], authLevel: 'function', handler: createListSubscriptionsHandler(getAdminDependencies) });
