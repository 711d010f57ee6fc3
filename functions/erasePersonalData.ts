import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { subscriptionIdParam } from '../shared/admin';
import { json, toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { erasePersonalData, getRetentionDependencies, type RetentionDependencies } from '../shared/retention';

/** POST /api/subscriptions/{subscriptionId}/erase-personal-data: erases its personal data now (idempotent); 200 with what was erased. */
export function createErasePersonalDataHandler(getDeps: () => RetentionDependencies) {
  return async function erasePersonalDataNow(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps();
      logger = deps.logger(context);
      const id = subscriptionIdParam(request.params.subscriptionId);
      return json(200, await erasePersonalData({ ...deps, logger }, id, 'request'));
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('erasePersonalData', {
  route: 'subscriptions/{subscriptionId}/erase-personal-data',
  methods: ['POST'],
  authLevel: 'function',
  handler: createErasePersonalDataHandler(getRetentionDependencies),
});
