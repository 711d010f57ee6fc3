import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { MAX_ADMIN_BODY_BYTES } from '../shared/admin';
import { readJsonBody } from '../shared/http/readJsonBody';
import { json, toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { getRetentionDependencies, removeTestSubscriptions as remove, removeTestSubscriptionsBodySchema, type RetentionDependencies } from '../shared/retention';

/**
 * POST /api/test-subscriptions/remove `{ "subscriptionIds"?: [...], "dryRun"?: true }`: removes
 * ended test subscriptions (all of them when no id is given) with their history and operations.
 */
export function createRemoveTestSubscriptionsHandler(getDeps: () => RetentionDependencies) {
  return async function removeTestSubscriptions(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps();
      logger = deps.logger(context);
      const input = await readJsonBody(request, removeTestSubscriptionsBodySchema, { maxBytes: MAX_ADMIN_BODY_BYTES });
      return json(200, await remove({ ...deps, logger }, input));
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('removeTestSubscriptions', {
  route: 'test-subscriptions/remove',
  methods: ['POST'],
  authLevel: 'function',
  handler: createRemoveTestSubscriptionsHandler(getRetentionDependencies),
});
