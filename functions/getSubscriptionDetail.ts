import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAdminDependencies, getSubscriptionDetail as detail, parseDetailQuery, subscriptionIdParam, type AdminDependencies } from '../shared/admin';
import { json, toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';

/** GET /api/subscriptions/{subscriptionId}[?historyPageSize&historyContinuationToken]: record, plan catalog, history. */
export function createGetSubscriptionDetailHandler(getDeps: (context: InvocationContext) => AdminDependencies) {
  return async function getSubscriptionDetail(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps(context);
      logger = deps.logger(context);
      const id = subscriptionIdParam(request.params.subscriptionId);
      return json(200, await detail({ ...deps, logger }, id, parseDetailQuery(request.query)));
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('getSubscriptionDetail', {
  route: 'subscriptions/{subscriptionId}',
  methods: ['GET'],
  authLevel: 'function',
  handler: createGetSubscriptionDetailHandler(getAdminDependencies),
});
