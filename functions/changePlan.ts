import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { changeDeps, changePlanBodySchema, changeResponse, getAdminDependencies, MAX_ADMIN_BODY_BYTES, subscriptionIdParam, type AdminDependencies } from '../shared/admin';
import { readJsonBody } from '../shared/http/readJsonBody';
import { toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { requestPublisherChange } from '../shared/publisherOperations';

/** POST /api/subscriptions/{subscriptionId}/plan `{ "planId": "…" }`: 202 + Location (status URL), or 400 with the reasons. */
export function createChangePlanHandler(getDeps: (context: InvocationContext) => AdminDependencies) {
  return async function changePlan(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps(context);
      logger = deps.logger(context);
      const id = subscriptionIdParam(request.params.subscriptionId);
      const { planId } = await readJsonBody(request, changePlanBodySchema, { maxBytes: MAX_ADMIN_BODY_BYTES });
      return changeResponse(await requestPublisherChange(changeDeps(deps, logger), id, { action: 'ChangePlan', planId }), context.invocationId);
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('changePlan', { route: 'subscriptions/{subscriptionId}/plan', methods: ['POST'], authLevel: 'function', handler: createChangePlanHandler(getAdminDependencies) });
