import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAdminDependencies, type AdminDependencies } from '../shared/admin';
import { json, toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { getOperationStatus as status } from '../shared/publisherOperations';

/** GET /api/operations/{operationId}: the status URL of a publisher request (or a webhook operation's row). */
export function createGetOperationStatusHandler(getDeps: () => Pick<AdminDependencies, 'operations' | 'logger'>) {
  return async function getOperationStatus(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps();
      logger = deps.logger(context);
      const view = await status(deps, request.params.operationId ?? '');
      return json(200, view, view.done ? {} : { 'Retry-After': '5' });
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('getOperationStatus', { route: 'operations/{operationId}', methods: ['GET'], authLevel: 'function', handler: createGetOperationStatusHandler(getAdminDependencies) });
