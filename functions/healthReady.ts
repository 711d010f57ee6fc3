import { app, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { json } from '../shared/http/responses';
import { checkReadiness, getReadinessDependencies, type ReadinessDependencies } from '../shared/readiness';

/**
 * GET /api/health/ready (function key): every dependency checked in parallel, each with a timeout;
 * 200 when ready, 503 naming the failing checks. GET /api/health stays the cheap liveness answer.
 */
export function createHealthReadyHandler(getDeps: (context: InvocationContext) => ReadinessDependencies) {
  return async function healthReady(_request: unknown, context: InvocationContext): Promise<HttpResponseInit> {
    const deps = getDeps(context);
    const report = await checkReadiness({ checks: deps.checks, clock: deps.clock, logger: deps.logger(context) });
    return json(report.status === 'ready' ? 200 : 503, report);
  };
}

app.http('healthReady', { route: 'health/ready', methods: ['GET'], authLevel: 'function', handler: createHealthReadyHandler(getReadinessDependencies) });
