import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { readJsonBody } from '../shared/http/readJsonBody';
import { json, toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { getPoisonAdminDependencies, type PoisonAdminDependencies } from '../shared/operations/operationsDependencies';
import { replayPoisonMessages as replay, replayRequestSchema } from '../shared/operations/poisonQueue';

/** Room for 1,000 message ids. */
const MAX_REPLAY_BODY_BYTES = 64 * 1024;

/**
 * POST /api/ops/poison/{queue}/replay (master key), body `{}` / `{ "messageIds": [...] }` /
 * `{ "max": n }`: moves poison messages back to their queue for another round of processing.
 */
export function createReplayPoisonMessagesHandler(getDeps: () => PoisonAdminDependencies) {
  return async function replayPoisonMessages(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps();
      logger = deps.logger(context);
      const body = await readJsonBody(request, replayRequestSchema, { maxBytes: MAX_REPLAY_BODY_BYTES, allowEmpty: true });
      const result = await replay(deps.poison, request.params.queue ?? '', body);
      logger.info('poison messages replayed', { queue: result.queue, count: result.replayed.length, notFound: result.notFound.length });
      return json(200, result);
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('replayPoisonMessages', {
  route: 'ops/poison/{queue}/replay',
  methods: ['POST'],
  authLevel: 'admin',
  handler: createReplayPoisonMessagesHandler(getPoisonAdminDependencies),
});
