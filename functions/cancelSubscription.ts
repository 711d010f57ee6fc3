import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { changeDeps, changeResponse, getAdminDependencies, subscriptionIdParam, type AdminDependencies } from '../shared/admin';
import { toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { requestPublisherChange } from '../shared/publisherOperations';

/** POST /api/subscriptions/{subscriptionId}/cancel (no body): DELETE at the marketplace; 202 + Location (status URL). */
export function createCancelSubscriptionHandler(getDeps: (context: InvocationContext) => AdminDependencies) {
  return async function cancelSubscription(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps(context);
      logger = deps.logger(context);
      const id = subscriptionIdParam(request.params.subscriptionId);
      return changeResponse(await requestPublisherChange(changeDeps(deps, logger), id, { action: 'Unsubscribe' }), context.invocationId);
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('cancelSubscription', { route: 'subscriptions/{subscriptionId}/cancel', methods: ['POST'], authLevel: 'function', handler: createCancelSubscriptionHandler(getAdminDependencies) });
