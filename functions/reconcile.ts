import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAdminDependencies, reconcileDeps, type AdminDependencies } from '../shared/admin';
import { json, toHttpResponse } from '../shared/http/responses';
import type { Logger } from '../shared/logging';
import { reconcileSubscriptions } from '../shared/reconciliation';

/** POST /api/reconcile: one reconciliation run now; answers with its report once it is done. */
export function createReconcileHandler(getDeps: (context: InvocationContext) => AdminDependencies) {
  return async function reconcile(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    let logger: Logger | undefined;
    try {
      const deps = getDeps(context);
      logger = deps.logger(context, { component: 'reconciliation' });
      return json(200, await reconcileSubscriptions(reconcileDeps(deps, logger)));
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('reconcile', { route: 'reconcile', methods: ['POST'], authLevel: 'function', handler: createReconcileHandler(getAdminDependencies) });
