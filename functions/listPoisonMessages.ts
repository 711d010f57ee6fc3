import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { json, toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { getPoisonAdminDependencies, type PoisonAdminDependencies } from '../shared/operations/operationsDependencies';
import { listPoisonMessages as list, MAX_BATCH } from '../shared/operations/poisonQueue';

/** GET /api/ops/poison/{queue}?max=n (master key): up to 32 messages of `<queue>-poison`, decoded, left in place. */
export function createListPoisonMessagesHandler(getDeps: () => PoisonAdminDependencies) {
  return async function listPoisonMessages(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps();
      logger = deps.logger(context);
      const max = Number(request.query.get('max') ?? MAX_BATCH);
      return json(200, await list(deps.poison, request.params.queue ?? '', Number.isInteger(max) ? max : MAX_BATCH));
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('listPoisonMessages', {
  route: 'ops/poison/{queue}',
  methods: ['GET'],
  authLevel: 'admin',
  handler: createListPoisonMessagesHandler(getPoisonAdminDependencies),
});
