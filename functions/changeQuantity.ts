import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { changeDeps, changeQuantityBodySchema, changeResponse, getAdminDependencies, MAX_ADMIN_BODY_BYTES, subscriptionIdParam, type AdminDependencies } from '../shared/admin';
import { readJsonBody } from '../shared/http/readJsonBody';
import { toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { requestPublisherChange } from '../shared/publisherOperations';

/** POST /api/subscriptions/{subscriptionId}/quantity `{ "quantity": n }`: 202 + Location (status URL), or 400 with the reasons. */
export function createChangeQuantityHandler(getDeps: (context: InvocationContext) => AdminDependencies) {
  return async function changeQuantity(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps(context);
      logger = deps.logger(context);
      const id = subscriptionIdParam(request.params.subscriptionId);
      const { quantity } = await readJsonBody(request, changeQuantityBodySchema, { maxBytes: MAX_ADMIN_BODY_BYTES });
      return changeResponse(await requestPublisherChange(changeDeps(deps, logger), id, { action: 'ChangeQuantity', quantity }), context.invocationId);
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('changeQuantity', { route: 'subscriptions/{subscriptionId}/quantity', methods: ['POST'], authLevel: 'function', handler: createChangeQuantityHandler(getAdminDependencies) });
