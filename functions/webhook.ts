import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { json, toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { receiveWebhook } from '../shared/webhook/receiveWebhook';
import { getWebhookDependencies, type WebhookDependencies } from '../shared/webhook/webhookDependencies';

/**
 * POST /api/webhook: the marketplace's connection webhook. Anonymous at the host level; the caller
 * is authenticated by its Entra bearer token (401 with a reason code). 200 once the operation is
 * recorded and queued; the work happens in processOperation.
 */
export function createWebhookHandler(getDeps: (context: InvocationContext) => WebhookDependencies) {
  return async function webhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps(context);
      logger = deps.logger(context);
      const receipt = await receiveWebhook({ ...deps, logger }, request);
      return json(200, receipt);
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('webhook', {
  route: 'webhook',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: createWebhookHandler(getWebhookDependencies),
});
