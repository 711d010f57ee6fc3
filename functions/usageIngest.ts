import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getDependencies, type AppDependencies } from '../shared/dependencies';
import { json, toHttpResponse } from '../shared/http/responses';
import { readJsonBody } from '../shared/http/readJsonBody';
import { consoleLogger } from '../shared/logging';
import { MAX_USAGE_BODY_BYTES, usageBodySchema } from '../shared/metering';
import { createMeteringServices, ingestStatus, type MeteringAppDeps, type MeteringServices } from '../shared/metering/services';

/**
 * POST /api/usage: the product reports usage, one record or an array of up to 1,000. Answers 200
 * (all kept), 207 (some refused) or 400 (all refused) with one result per record.
 */
export function createUsageIngestHandler(getDeps: () => MeteringAppDeps & Pick<AppDependencies, 'logger'>) {
  let services: MeteringServices | undefined;
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let logger = consoleLogger();
    try {
      const deps = getDeps();
      logger = deps.logger(context);
      services ??= createMeteringServices(deps);
      const records = await readJsonBody(request, usageBodySchema, { maxBytes: MAX_USAGE_BODY_BYTES });
      const report = await services.ingestion.ingest(records);
      return json(ingestStatus(report), report);
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('usageIngest', { route: 'usage', methods: ['POST'], authLevel: 'function', handler: createUsageIngestHandler(getDependencies) });
